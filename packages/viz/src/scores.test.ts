import { describe, expect, it } from 'vitest';
import { histogramSvg, rocCurveSvg } from './scores';

const attribute = (element: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];

/** The [data-x, data-y] of every marker circle, in order. */
function markers(svg: string): Array<[number, number]> {
  return [...svg.matchAll(/<circle\b[^>]*\bdata-x="([^"]*)"[^>]*\bdata-y="([^"]*)"/g)].map((m) => [
    +m[1],
    +m[2],
  ]);
}

/** Bars as { group, x0, x1, count, y } in document order. */
function bars(svg: string) {
  return [...svg.matchAll(/<rect class="bar"[^>]*>/g)].map(([element]) => ({
    group: attribute(element, 'data-group'),
    x0: Number(attribute(element, 'data-x0')),
    x1: Number(attribute(element, 'data-x1')),
    count: Number(attribute(element, 'data-count')),
    y: Number(attribute(element, 'data-y')),
    left: Number(attribute(element, 'x')),
    width: Number(attribute(element, 'width')),
  }));
}

describe('rocCurveSvg', () => {
  const points = [
    { falsePositiveRate: 0.5, truePositiveRate: 0.9 },
    { falsePositiveRate: 0, truePositiveRate: 0 },
    { falsePositiveRate: 1, truePositiveRate: 1 },
    { falsePositiveRate: 0.1, truePositiveRate: 0.6 },
  ];

  it('draws the sorted curve with exact markers, the chance diagonal and the AUC', () => {
    const svg = rocCurveSvg(points, { auc: 0.8125, title: 'ROC' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(markers(svg)).toEqual([
      [0, 0],
      [0.1, 0.6],
      [0.5, 0.9],
      [1, 1],
    ]);
    const polyline = /<polyline points="([^"]*)"/
      .exec(svg)![1]
      .split(' ')
      .map((pair) => pair.split(',').map(Number));
    expect(polyline).toHaveLength(4);
    // The diagonal runs from the curve's (0, 0) to its (1, 1).
    const chance = /<line class="chance"[^>]*>/.exec(svg)![0];
    expect([+attribute(chance, 'x1')!, +attribute(chance, 'y1')!]).toEqual(polyline[0]);
    expect([+attribute(chance, 'x2')!, +attribute(chance, 'y2')!]).toEqual(polyline[3]);
    expect(attribute(chance, 'stroke-dasharray')).toBeDefined();
    expect(svg).toContain('ROC (AUC = 0.813)');
    expect(svg).toContain('data-auc="0.8125"');
    expect(svg).toContain('>chance</text>');
    expect(svg).toContain('>false positive rate</text>');
    expect(svg).not.toMatch(/NaN|undefined|\bid="/);
  });

  it('draws several named curves, and only lines for long curves', () => {
    const long = Array.from({ length: 1001 }, (_, i) => ({
      falsePositiveRate: i / 1000,
      truePositiveRate: Math.sqrt(i / 1000),
    }));
    const svg = rocCurveSvg([
      { name: 'VAE', points, auc: 0.8 },
      { name: 'AE', points: long },
    ]);
    expect(svg.match(/<polyline\b/g)).toHaveLength(2);
    expect(markers(svg)).toHaveLength(4);
    expect(svg).toContain('VAE (AUC = 0.800)');
    expect(svg).toMatch(/>AE<\/text>/);
    expect(rocCurveSvg([])).toContain('No data');
  });

  it('draws the curve that rocCurve of @vae/metrics returns, as it is', () => {
    // core's RocCurve: rates per threshold, from (0, 0), as rocCurve computes them.
    const computed = {
      falsePositiveRate: Float64Array.from([0, 0, 0.1, 0.5, 1]),
      truePositiveRate: Float64Array.from([0, 0.2, 0.6, 0.9, 1]),
      thresholds: Float64Array.from([Number.POSITIVE_INFINITY, 0.9, 0.7, 0.4, 0.1]),
    };
    const svg = rocCurveSvg(computed, { auc: 0.8125 });
    expect(markers(svg)).toEqual([
      [0, 0],
      [0, 0.2],
      [0.1, 0.6],
      [0.5, 0.9],
      [1, 1],
    ]);
    expect(svg).toContain('ROC (AUC = 0.813)');
    const named = rocCurveSvg([
      { name: 'VAE', points: computed },
      { name: 'AE', points },
    ]);
    expect(markers(named)).toHaveLength(9);
    expect(() => rocCurveSvg({ ...computed, truePositiveRate: Float64Array.from([0, 1]) })).toThrow(
      /5 false positive rates but 2 true positive rates/,
    );
  });

  it('rejects rates outside [0, 1]', () => {
    expect(() => rocCurveSvg([{ falsePositiveRate: 1.5, truePositiveRate: 1 }])).toThrow(
      /rates must lie in \[0, 1\]/,
    );
    expect(() => rocCurveSvg(points, { auc: Number.NaN })).toThrow(/auc must be a finite number/);
  });
});

describe('histogramSvg', () => {
  it('counts values into equal bins over their range, the last bin closed', () => {
    const svg = histogramSvg([0, 1, 1, 2, 3, 4, 4, 4], { bins: 4 });
    // Bins of width 1 over [0, 4]: [0, 1), [1, 2), [2, 3), [3, 4].
    expect(bars(svg).map(({ x0, x1, count, y }) => [x0, x1, count, y])).toEqual([
      [0, 1, 1, 1],
      [1, 2, 2, 2],
      [2, 3, 1, 1],
      [3, 4, 4, 4],
    ]);
    const drawn = bars(svg);
    for (let i = 1; i < drawn.length; i++) {
      expect(drawn[i].left).toBeCloseTo(drawn[i - 1].left + drawn[i - 1].width, 1);
    }
    expect(svg).toContain('>count</text>');
    expect(svg).not.toMatch(/NaN|undefined|\bid="/);
  });

  it('overlays groups on shared bins, normalises per group and draws the threshold', () => {
    const normal = [0.1, 0.2, 0.2, 0.3, 0.4, 0.45, Number.NaN];
    const anomalous = [0.8, 0.9, 0.95];
    const svg = histogramSvg(
      [
        { name: 'normal', values: normal },
        { name: 'anomalous', values: anomalous },
      ],
      { bins: 10, range: [0, 1], threshold: 0.6, normalize: true, xLabel: 'score' },
    );
    const drawn = bars(svg);
    const byGroup = (name: string) => drawn.filter((bar) => bar.group === name);
    expect(byGroup('normal').reduce((sum, bar) => sum + bar.count, 0)).toBe(6);
    expect(byGroup('anomalous').reduce((sum, bar) => sum + bar.count, 0)).toBe(3);
    for (const group of ['normal', 'anomalous']) {
      expect(byGroup(group).reduce((sum, bar) => sum + bar.y, 0)).toBeCloseTo(1, 12);
    }
    for (const bar of drawn) expect(bar.x1 - bar.x0).toBeCloseTo(0.1, 12);
    const threshold = /<line class="threshold"[^>]*>/.exec(svg)![0];
    expect(attribute(threshold, 'data-x')).toBe('0.6');
    const x = Number(attribute(threshold, 'x1'));
    const highestNormal = byGroup('normal').at(-1)!;
    const lowestAnomalous = byGroup('anomalous')[0];
    expect(x).toBeGreaterThan(highestNormal.left + highestNormal.width);
    expect(x).toBeLessThan(lowestAnomalous.left);
    expect(svg).toContain('>threshold = 0.6</text>');
    expect(svg).toContain('>normal</text>');
    expect(svg).toContain('>fraction</text>');
  });

  it('leaves out values outside an explicit range and handles constant or empty input', () => {
    const svg = histogramSvg([-5, 0.5, 0.5, 9], { bins: 2, range: [0, 1] });
    // -5 and 9 are out; both 0.5s fall in [0.5, 1]; the empty bin [0, 0.5) draws no bar.
    expect(bars(svg).map(({ x0, x1, count }) => [x0, x1, count])).toEqual([[0.5, 1, 2]]);
    const constant = histogramSvg([3, 3, 3], { bins: 3 });
    expect(bars(constant).map(({ count }) => count)).toEqual([3]);
    expect(histogramSvg([])).toContain('No data');
    expect(() => histogramSvg([1], { bins: 0 })).toThrow(/bins must be a positive integer/);
    expect(() => histogramSvg([1], { range: [1, 1] })).toThrow(/low < high/);
    expect(() => histogramSvg([1], { threshold: Number.NaN })).toThrow(/threshold must be a finite number/);
  });
});
