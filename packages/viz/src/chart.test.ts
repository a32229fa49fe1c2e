import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceAxis, type TrainingCurveRecord, trainingCurvesSvg } from './chart';

/** The [data-x, data-y] of every point marker, in document order. */
function markers(svg: string): Array<[number, number]> {
  return [...svg.matchAll(/<circle\b[^>]*\bdata-x="([^"]*)"[^>]*\bdata-y="([^"]*)"/g)].map((match) => [
    Number(match[1]),
    Number(match[2]),
  ]);
}

const count = (svg: string, pattern: RegExp) => (svg.match(pattern) ?? []).length;

describe('lineChartSvg', () => {
  const train: Array<[number, number]> = [
    [1, 210.5],
    [2, 160.25],
    [3, 140.125],
  ];
  const test: Array<[number, number]> = [
    [1, 200],
    [3, 150.5],
  ];

  it('draws one polyline and one marker per point for each series, with the exact data values', () => {
    const svg = lineChartSvg({
      title: 'Loss',
      xLabel: 'epoch',
      yLabel: 'nats',
      series: [
        { name: 'train', points: train },
        { name: 'test', points: test },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(count(svg, /<polyline\b/g)).toBe(2);
    expect(markers(svg)).toEqual([...train, ...test]);
    const polylines = [...svg.matchAll(/<polyline\b[^>]*\bpoints="([^"]*)"[^>]*\bstroke="([^"]*)"/g)];
    expect(polylines.map((match) => match[1].split(' ').length)).toEqual([3, 2]);
    expect(new Set(polylines.map((match) => match[2])).size).toBe(2);
    expect(svg).toContain('>train</text>');
    expect(svg).toContain('>test</text>');
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>nats</text>');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('puts points inside the plot, higher values higher up', () => {
    const svg = lineChartSvg({ width: 400, height: 300, series: [{ name: 'a', points: train }] });
    const centres = [...svg.matchAll(/<circle\b[^>]*\bcx="([^"]*)" cy="([^"]*)"/g)].map((m) => [
      +m[1],
      +m[2],
    ]);
    expect(centres).toHaveLength(3);
    for (const [x, y] of centres) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(400);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(300);
    }
    expect(centres[0][0]).toBeLessThan(centres[1][0]);
    expect(centres[0][1]).toBeLessThan(centres[1][1]); // 210.5 is drawn above 160.25
  });

  it('escapes the title, labels and series names', () => {
    const svg = lineChartSvg({
      title: '<script>alert("x")</script> & co',
      xLabel: 'a<b',
      series: [{ name: `"quoted" <name> 'single'`, points: [[0, 1]] }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('&quot;quoted&quot; &lt;name&gt; &#39;single&#39;');
  });

  it('handles a single point, constant values, non-finite values and no data', () => {
    const single = lineChartSvg({ series: [{ name: 'one', points: [[5, 0.25]] }] });
    expect(markers(single)).toEqual([[5, 0.25]]);
    expect(single).not.toMatch(/NaN|Infinity/);

    const flat = lineChartSvg({
      series: [
        {
          name: 'flat',
          points: [
            [0, 3],
            [1, 3],
            [2, 3],
          ],
        },
      ],
    });
    expect(markers(flat)).toHaveLength(3);
    expect(flat).not.toMatch(/NaN|Infinity/);

    const gaps = lineChartSvg({
      series: [
        {
          name: 'gaps',
          points: [
            [0, 1],
            [1, Number.NaN],
            [2, Number.POSITIVE_INFINITY],
            [Number.NEGATIVE_INFINITY, 2],
            [4, 0.5],
          ],
        },
        { name: 'empty', points: [[1, Number.NaN]] },
      ],
    });
    expect(markers(gaps)).toEqual([
      [0, 1],
      [4, 0.5],
    ]);
    expect(count(gaps, /<polyline\b/g)).toBe(2);
    expect(gaps).not.toMatch(/NaN|Infinity/);

    const none = lineChartSvg({ title: 'nothing', series: [] });
    expect(none).toContain('No data');
    expect(count(none, /<polyline\b/g)).toBe(0);
  });

  it('rejects malformed options clearly', () => {
    expect(() => lineChartSvg({} as never)).toThrow(/pass \{ series/);
    expect(() => lineChartSvg({ width: 10, series: [] })).toThrow(/width must be a number of pixels >= 160/);
    expect(() => lineChartSvg({ series: [{ name: 'x', points: [5 as never] }] })).toThrow(/\[x, y\] pair/);
  });
});

describe('niceAxis', () => {
  it('picks 1-2-5 steps and rounds the bounds out to whole steps', () => {
    expect(niceAxis(0, 10).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceAxis(0.3, 0.71).ticks).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const axis = niceAxis(140.125, 210.5);
    expect(axis.ticks).toEqual([140, 150, 160, 170, 180, 190, 200, 210, 220]);
    expect(axis.labels[0]).toBe('140');
    expect(niceAxis(0.001, 0.0049).labels).toEqual(['0.001', '0.002', '0.003', '0.004', '0.005']);
    expect(niceAxis(-3e-8, 1e-7).labels).toEqual([
      '-4e-8',
      '-2e-8',
      '0',
      '2e-8',
      '4e-8',
      '6e-8',
      '8e-8',
      '1e-7',
    ]);
    expect(niceAxis(0, 1).labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });

  it('widens equal bounds', () => {
    const axis = niceAxis(3, 3);
    expect(axis.low).toBeLessThan(3);
    expect(axis.high).toBeGreaterThan(3);
    expect(niceAxis(0, 0).ticks).toContain(0);
  });
});

describe('lineChartSvg styles', () => {
  it('draws dashed series and custom colours, with matching legend swatches', () => {
    const svg = lineChartSvg({
      series: [
        { name: 'a', points: [[0, 1]], colour: '#123456' },
        { name: 'b', points: [[1, 2]], dashed: true },
      ],
    });
    const polylines = [...svg.matchAll(/<polyline\b[^>]*>/g)].map((match) => match[0]);
    expect(polylines[0]).toContain('stroke="#123456"');
    expect(polylines[0]).not.toContain('stroke-dasharray');
    expect(polylines[1]).toContain('stroke-dasharray');
    expect(svg).toMatch(/<line [^>]*stroke-dasharray="4 3"\/><text[^>]*><title>b<\/title>/);
  });
});

describe('trainingCurvesSvg', () => {
  const epochs: TrainingCurveRecord[] = [
    {
      epoch: 2,
      train: { reconstruction: 120, kl: 8, weightedKl: 4, total: 124 },
      validation: { reconstruction: 125, kl: 7.5, weightedKl: 3.75, total: 128.75 },
    },
    {
      epoch: 1,
      train: { reconstruction: 150, kl: 5, weightedKl: 0, total: 150 },
      validation: { reconstruction: 152, kl: 4.5, weightedKl: 0, total: 152 },
    },
    { epoch: 3, train: { reconstruction: 110, kl: 9, weightedKl: 9, total: 119 } },
  ];

  /** Panels by term: the nested <svg data-term> and its series' markers. */
  function panels(svg: string) {
    return [...svg.matchAll(/<svg data-term="([^"]*)"([\s\S]*?)<\/svg>/g)].map((match) => ({
      term: match[1],
      body: match[2],
      series: [...match[2].matchAll(/<g class="series" data-name="([^"]*)">([\s\S]*?)<\/g>/g)].map((s) => ({
        name: s[1],
        dashed: /<polyline[^>]*stroke-dasharray/.test(s[2]),
        points: markers(s[2]),
      })),
    }));
  }

  it('draws one panel per term with train and validation per epoch, sorted by epoch', () => {
    const svg = trainingCurvesSvg(epochs, { title: 'Training' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const drawn = panels(svg);
    expect(drawn.map((panel) => panel.term)).toEqual(['reconstruction', 'kl', 'weightedKl', 'total']);
    const kl = drawn[1];
    expect(kl.series.map((series) => [series.name, series.dashed])).toEqual([
      ['train', false],
      ['validation', true],
    ]);
    expect(kl.series[0].points).toEqual([
      [1, 5],
      [2, 8],
      [3, 9],
    ]);
    expect(kl.series[1].points).toEqual([
      [1, 4.5],
      [2, 7.5],
    ]);
    expect(drawn[3].series[0].points).toEqual([
      [1, 150],
      [2, 124],
      [3, 119],
    ]);
    expect(kl.body).toContain('>KL divergence</text>');
    expect(drawn[0].body).toContain('>epoch</text>');
    // Panels tile a 2 x 2 layout under the title.
    const offsets = [...svg.matchAll(/<svg data-term="[^"]*" x="([^"]*)" y="([^"]*)"/g)].map((m) => [
      +m[1],
      +m[2],
    ]);
    expect(offsets).toEqual([
      [0, 36],
      [420, 36],
      [0, 316],
      [420, 316],
    ]);
    expect(svg).toMatch(/^<svg xmlns[^>]*width="840" height="596"/);
    expect(svg).not.toMatch(/NaN|undefined|\bid="/);
  });

  it('picks terms, leaves out missing ones and draws train only without validation', () => {
    const trainOnly = epochs.map(({ epoch, train }) => ({ epoch, train: { ...train, regularizer: 0.5 } }));
    const svg = trainingCurvesSvg(trainOnly, { terms: ['total', 'regularizer', 'missing'], columns: 1 });
    const drawn = panels(svg);
    expect(drawn.map((panel) => panel.term)).toEqual(['total', 'regularizer']);
    expect(drawn[0].series.map((series) => series.name)).toEqual(['train']);
    expect(drawn[1].series[0].points).toEqual([
      [1, 0.5],
      [2, 0.5],
      [3, 0.5],
    ]);
    expect(trainingCurvesSvg([])).toContain('No data');
  });

  it('rejects malformed records', () => {
    expect(() => trainingCurvesSvg({} as never)).toThrow(/pass an array/);
    expect(() => trainingCurvesSvg([{ epoch: Number.NaN, train: {} }])).toThrow(/record 0 must be/);
    expect(() => trainingCurvesSvg([{ epoch: 1 } as never])).toThrow(/has no train terms/);
  });
});
