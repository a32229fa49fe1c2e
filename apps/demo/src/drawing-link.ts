/**
 * A drawing of the Draw view as a short text for the address (`?ink=`), so that a shared link draws the same
 * digit again: the strokes (pen or eraser) as points on a 256-step grid over the pad, and test digits loaded from
 * the palette by their place (`label.index`). Bytes, base64url (no padding):
 *
 *   version (1), then records: 1 = pen stroke, 2 = eraser stroke: [kind, count (2 bytes, big-endian, >= 1),
 *   count x (x, y)]; 3 = a test digit: [3, label, index].
 *
 * Reading never throws: anything that is not such a text (wrong characters, a cut-off record, an unknown kind,
 * too many points, a digit out of range) gives `{ ok: false, reason }`, and the page starts empty with that
 * reason shown.
 */

export type DrawingRecord =
  | { kind: 'pen' | 'eraser'; points: Array<[number, number]> }
  | { kind: 'digit'; label: number; index: number };

export type DrawingReadResult = { ok: true; records: DrawingRecord[] } | { ok: false; reason: string };

const VERSION = 1;
const KINDS = { pen: 1, eraser: 2, digit: 3 } as const;
/** The most points a link keeps (about 5,500 characters); a longer drawing is cut there. */
export const MAX_LINK_POINTS = 2000;
/**
 * The longest `?ink=` value read (anything longer is refused before decoding): room for the most points, 2 bytes
 * each, plus 3-byte record headers, in base64 (4 characters per 3 bytes).
 */
export const MAX_LINK_LENGTH = 12_000;
/** Grid steps per side of the pad: a point is stored as two bytes. */
export const LINK_STEPS = 255;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    const binary = atob(
      text
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(text.length / 4) * 4, '='),
    );
    return Uint8Array.from(binary, (character) => character.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The drawing as the `?ink=` text ('' for no records). Points must be on the grid (0..255, integers). */
export function encodeDrawing(records: readonly DrawingRecord[]): string {
  if (records.length === 0) return '';
  const bytes: number[] = [VERSION];
  for (const record of records) {
    if (record.kind === 'digit') {
      bytes.push(KINDS.digit, record.label, record.index);
      continue;
    }
    if (record.points.length === 0) continue;
    bytes.push(KINDS[record.kind], record.points.length >> 8, record.points.length & 255);
    for (const [x, y] of record.points) bytes.push(x, y);
  }
  return toBase64Url(Uint8Array.from(bytes));
}

/**
 * Reads a `?ink=` text. `digits` is how many test digits each class has (a digit record must name one);
 * points come back on the grid (0..255).
 */
export function decodeDrawing(
  text: string,
  digits: { classes: number; perClass: number },
): DrawingReadResult {
  const fail = (reason: string): DrawingReadResult => ({ ok: false, reason });
  if (text.length > MAX_LINK_LENGTH)
    return fail(`it is ${text.length} characters long, more than ${MAX_LINK_LENGTH}`);
  const bytes = fromBase64Url(text);
  if (!bytes) return fail('it is not base64url text (A-Z, a-z, 0-9, - and _)');
  if (bytes.length === 0) return fail('it is empty');
  if (bytes[0] !== VERSION)
    return fail(`it is of version ${bytes[0]}, and this page reads version ${VERSION}`);
  const records: DrawingRecord[] = [];
  let points = 0;
  let at = 1;
  while (at < bytes.length) {
    const kind = bytes[at];
    if (kind === KINDS.digit) {
      if (at + 3 > bytes.length) return fail('a digit record is cut off');
      const label = bytes[at + 1];
      const index = bytes[at + 2];
      if (label >= digits.classes || index >= digits.perClass) {
        return fail(
          `it names test digit ${label}.${index}, and there are ${digits.classes} × ${digits.perClass}`,
        );
      }
      records.push({ kind: 'digit', label, index });
      at += 3;
    } else if (kind === KINDS.pen || kind === KINDS.eraser) {
      if (at + 3 > bytes.length) return fail('a stroke record is cut off');
      const count = (bytes[at + 1] << 8) | bytes[at + 2];
      if (count === 0) return fail('a stroke has no points');
      points += count;
      if (points > MAX_LINK_POINTS) return fail(`it has more than ${MAX_LINK_POINTS} points`);
      const end = at + 3 + 2 * count;
      if (end > bytes.length) return fail('a stroke is cut off');
      const stroke: Array<[number, number]> = [];
      for (let k = at + 3; k < end; k += 2) stroke.push([bytes[k], bytes[k + 1]]);
      records.push({ kind: kind === KINDS.pen ? 'pen' : 'eraser', points: stroke });
      at = end;
    } else {
      return fail(`record kind ${kind} is unknown`);
    }
  }
  return { ok: true, records };
}
