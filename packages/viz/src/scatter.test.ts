import { describe, expect, it } from 'vitest';
import { scatterSvg } from './scatter';

/** data-x, data-y, data-label and fill of every marker, in document order. */
function markers(svg: string) {
  return [...svg.matchAll(/<circle\b([^>]*)>/g)]
    .map((match) => match[1])
    .filter((attributes) => attributes.includes('data-x='))
    .map((attributes) => ({
      x: Number(/data-x="([^"]*)"/.exec(attributes)![1]),
      y: Number(/data-y="([^"]*)"/.exec(attributes)![1]),
      label: /data-label="([^"]*)"/.exec(attributes)?.[1],
      fill: /fill="([^"]*)"/.exec(attributes)![1],
      cx: Number(/cx="([^"]*)"/.exec(attributes)![1]),
      cy: Number(/cy="([^"]*)"/.exec(attributes)![1]),
    }));
}

/** Legend texts (the visible part, after the title), in order. */
function legend(svg: string): string[] {
  const group = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)![1];
  return [...group.matchAll(/<\/title>([^<]*)<\/text>/g)].map((match) => match[1]);
}

describe('scatterSvg', () => {
  const points: Array<[number, number]> = [
    [0.5, 1],
    [-2, 3.25],
    [4, -1],
    [1, 0],
  ];

  it('draws one marker per point with exact data, coloured by class, in input order', () => {
    const svg = scatterSvg({
      points,
      labels: [2, 0, 2, 1],
      classNames: ['zero', 'one', 'two'],
      title: 'Codes',
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const drawn = markers(svg);
    expect(drawn.map(({ x, y }) => [x, y])).toEqual(points);
    expect(drawn.map(({ label }) => label)).toEqual(['2', '0', '2', '1']);
    expect(drawn[0].fill).toBe(drawn[2].fill);
    expect(new Set(drawn.map(({ fill }) => fill)).size).toBe(3);
    // Legend in ascending label order, by class name, with matching colours.
    expect(legend(svg)).toEqual(['zero', 'one', 'two']);
    const swatches = [...svg.matchAll(/<circle cx="[^"]*" cy="[^"]*" r="4" fill="([^"]*)"\/>/g)].map(
      (m) => m[1],
    );
    expect(swatches).toEqual([drawn[1].fill, drawn[3].fill, drawn[0].fill]);
    // Higher x to the right, higher y further up.
    expect(drawn[2].cx).toBeGreaterThan(drawn[0].cx);
    expect(drawn[1].cy).toBeLessThan(drawn[0].cy);
    expect(svg).not.toMatch(/NaN|Infinity|undefined|\bid="/);
  });

  it('orders string labels by first appearance and escapes them', () => {
    const svg = scatterSvg({ points: points.slice(0, 3), labels: ['<b>', 'a&b', '<b>'] });
    expect(legend(svg)).toEqual(['&lt;b&gt;', 'a&amp;b']);
    expect(markers(svg).map(({ label }) => label)).toEqual(['&lt;b&gt;', 'a&amp;b', '&lt;b&gt;']);
    expect(svg).not.toContain('<b>');
  });

  it('draws unlabelled points without a legend and skips non-finite ones', () => {
    const svg = scatterSvg({
      points: [
        [1, 2],
        [Number.NaN, 1],
        [3, Number.POSITIVE_INFINITY],
        [2, 2],
      ],
    });
    expect(markers(svg).map(({ x, y, label }) => [x, y, label])).toEqual([
      [1, 2, undefined],
      [2, 2, undefined],
    ]);
    expect(legend(svg)).toEqual([]);
    expect(scatterSvg({ points: [] })).toContain('No data');
  });

  it('keeps large plots lean: smaller markers and no per-point titles', () => {
    const many = Array.from({ length: 3000 }, (_, i): [number, number] => [Math.sin(i), Math.cos(i * 0.7)]);
    const svg = scatterSvg({ points: many, labels: many.map((_, i) => i % 10) });
    expect(markers(svg)).toHaveLength(3000);
    expect(svg).not.toMatch(/<circle[^>]*data-x[^>]*><title>/);
    expect(legend(svg)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('rejects mismatched labels and malformed points', () => {
    expect(() => scatterSvg({ points, labels: [1, 2] })).toThrow(/2 labels for 4 points/);
    expect(() => scatterSvg({ points: [[1]] })).toThrow(/point 0 must be an \[x, y\] pair/);
    expect(() => scatterSvg({} as never)).toThrow(/pass \{ points/);
    expect(() => scatterSvg({ points, labels: [1, 2, null, 3] as never })).toThrow(/label 2 must be/);
  });
});
