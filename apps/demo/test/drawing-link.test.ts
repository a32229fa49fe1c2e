/** The Draw view's `?ink=` text (src/drawing-link.ts): round trips, and hostile texts refused without throwing. */
import { describe, expect, it } from 'vitest';
import {
  type DrawingRecord,
  decodeDrawing,
  encodeDrawing,
  MAX_LINK_LENGTH,
  MAX_LINK_POINTS,
} from '../src/drawing-link';

const DIGITS = { classes: 10, perClass: 10 };

/** A seeded stroke of `count` grid points. */
function strokePoints(count: number, seed: number): Array<[number, number]> {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % 256;
  };
  return Array.from({ length: count }, () => [next(), next()] as [number, number]);
}

describe('drawing links', () => {
  it('round-trips strokes and digits, in order', () => {
    const records: DrawingRecord[] = [
      { kind: 'digit', label: 7, index: 3 },
      { kind: 'pen', points: strokePoints(40, 1) },
      { kind: 'eraser', points: strokePoints(3, 2) },
      { kind: 'pen', points: [[0, 255]] },
    ];
    const text = encodeDrawing(records);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    // version + digit (3) + three stroke headers (9) + 44 points (88)
    expect(Math.ceil(((1 + 3 + 9 + 88) * 4) / 3)).toBe(text.length);
    expect(decodeDrawing(text, DIGITS)).toEqual({ ok: true, records });
  });

  it('writes nothing for no drawing and leaves out strokes without points', () => {
    expect(encodeDrawing([])).toBe('');
    const text = encodeDrawing([
      { kind: 'pen', points: [] },
      { kind: 'digit', label: 0, index: 0 },
    ]);
    expect(decodeDrawing(text, DIGITS)).toEqual({
      ok: true,
      records: [{ kind: 'digit', label: 0, index: 0 }],
    });
  });

  it('keeps a drawing of the most points within the longest text it reads', () => {
    const records: DrawingRecord[] = Array.from({ length: 40 }, (_, k) => ({
      kind: k % 2 ? 'eraser' : 'pen',
      points: strokePoints(MAX_LINK_POINTS / 40, k + 1),
    }));
    const text = encodeDrawing(records);
    expect(text.length).toBeLessThanOrEqual(MAX_LINK_LENGTH);
    expect(decodeDrawing(text, DIGITS)).toEqual({ ok: true, records });
  });

  const encode = (bytes: number[]) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');

  it.each([
    ['characters outside base64url', 'AQ+/', 'not base64url'],
    ['markup', '<script>alert(1)</script>', 'not base64url'],
    ['an impossible length', 'AQEAA', 'not base64url'],
    ['nothing', '', 'empty'],
    ['another version', encode([2, 3, 0, 0]), 'version 2'],
    ['an unknown record', encode([1, 9]), 'kind 9'],
    ['a cut-off digit', encode([1, 3, 4]), 'cut off'],
    ['a digit out of range', encode([1, 3, 10, 0]), 'test digit 10.0'],
    ['a digit index out of range', encode([1, 3, 1, 10]), 'test digit 1.10'],
    ['a stroke without points', encode([1, 1, 0, 0]), 'no points'],
    ['a cut-off stroke header', encode([1, 1, 0]), 'cut off'],
    ['a stroke shorter than its count', encode([1, 1, 0, 3, 10, 10, 20, 20]), 'cut off'],
    ['a stroke claiming 65,535 points', encode([1, 2, 255, 255, 1, 1]), `more than ${MAX_LINK_POINTS}`],
    ['a text too long', 'A'.repeat(MAX_LINK_LENGTH + 4), 'characters long'],
  ])('refuses %s with a reason', (_, text, reason) => {
    const result = decodeDrawing(text, DIGITS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('never throws on random texts', () => {
    let state = 99;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/%';
    for (let trial = 0; trial < 2000; trial++) {
      let text = trial % 3 === 0 ? 'AQ' : '';
      const length = trial % 97;
      for (let k = 0; k < length; k++) {
        state = (state * 1103515245 + 12345) % 2147483648;
        text += alphabet[state % alphabet.length];
      }
      const result = decodeDrawing(text, DIGITS);
      if (result.ok) {
        for (const record of result.records) {
          if (record.kind === 'digit') {
            expect(record.label).toBeLessThan(10);
            expect(record.index).toBeLessThan(10);
          } else {
            expect(record.points.length).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('refuses every digit when the page has no test digits', () => {
    const result = decodeDrawing(encodeDrawing([{ kind: 'digit', label: 0, index: 0 }]), {
      classes: 10,
      perClass: 0,
    });
    expect(result.ok).toBe(false);
  });
});
