/**
 * The IDX format of MNIST and its relatives: a 4-byte magic number (two zero bytes, a type code, the number of
 * dimensions), the dimensions as big-endian uint32, then the values. Only unsigned bytes (type 0x08) occur in
 * these data sets, and only those are supported.
 */

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** The most dimensions an IDX header may declare here (labels have 1, images 3, images with channels 4). */
export const IDX_MAX_RANK = 8;

/** The most values one item (e.g. one image) may hold: 2^28 (a 16384 x 16384 image), 1 GiB as float32. */
const IDX_MAX_ITEM_VALUES = 2 ** 28;

/** The IDX element types and their sizes in bytes (only 0x08 is read; the others are named in errors). */
const IDX_TYPES: Record<number, [string, number]> = {
  8: ['unsigned bytes', 1],
  9: ['signed bytes', 1],
  11: ['16-bit integers', 2],
  12: ['32-bit integers', 4],
  13: ['32-bit floats', 4],
  14: ['64-bit floats', 8],
};

/**
 * Parses an uncompressed IDX file. The header is checked before anything else: the magic number, the element
 * type, a sane number of dimensions, and the product of the dimensions times the element size, which must equal
 * the bytes after the header exactly. Nothing is allocated (the data is a view into `bytes`). Throws a clear
 * error, naming `name`, for anything else (gzip, other types, truncation, a lying header).
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(
      `${name} is gzip-compressed; decompress it first (the Node loaders do this for .gz files).`,
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in IDX_TYPES)) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${name} is not an IDX file (bad magic number: ${found || 'the file is empty'}, expected 00 00 08 and ` +
        'the number of dimensions); check that the path points to an IDX file.',
    );
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) {
    throw new Error(
      `${name} holds IDX type 0x${type.toString(16)} (${IDX_TYPES[type][0]}); only unsigned bytes (0x08) ` +
        'are supported.',
    );
  }
  if (rank < 1 || rank > IDX_MAX_RANK) {
    throw new Error(
      `${name}: the IDX header declares ${rank} dimensions, expected 1 to ${IDX_MAX_RANK} (1 for labels, 3 ` +
        'for images); the file is corrupt or not IDX. Delete it and download it again.',
    );
  }
  const offset = 4 + 4 * rank;
  if (bytes.length < offset) {
    throw new Error(
      `${name} is truncated: its header declares ${rank} dimensions (${offset} bytes of header) but the file ` +
        `holds ${bytes.length.toLocaleString('en-US')} bytes. Delete it and download it again.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const elementBytes = IDX_TYPES[type][1];
  const payload = bytes.length - offset;
  // Exact in doubles: each step either stays at most the payload (below 2^53) or stops.
  let needed = elementBytes;
  for (const d of shape) {
    needed *= d;
    if (needed > payload) break;
  }
  if (needed !== payload) {
    const product = needed > payload ? shape.reduce((a, b) => a * b, elementBytes) : needed;
    const declared = Number.isSafeInteger(product)
      ? product.toLocaleString('en-US')
      : `about ${product.toExponential(2)}`;
    throw new Error(
      `${name}: the IDX header declares ${shape.join('x')} = ${declared} bytes but the file holds ` +
        `${payload.toLocaleString('en-US')} after the header; the file is truncated or not IDX. Delete it and ` +
        'download it again.',
    );
  }
  // The item dimensions (all but the first, the count) are checked by themselves: with no items, the size check
  // above lets any through.
  const item = shape.slice(1);
  if (item.includes(0)) {
    throw new Error(
      `${name}: the IDX header declares ${shape.join('x')}, a dimension of 0 after the first (the count); items ` +
        'must have at least one value each. The file is corrupt or not IDX; delete it and download it again.',
    );
  }
  const itemValues = item.reduce((a, b) => a * b, 1);
  if (itemValues > IDX_MAX_ITEM_VALUES) {
    throw new Error(
      `${name}: the IDX header declares items of ${item.join('x')} = ${itemValues.toLocaleString('en-US')} values, ` +
        `more than ${IDX_MAX_ITEM_VALUES.toLocaleString('en-US')}, the most one item may hold; the file is corrupt ` +
        'or not IDX. Delete it and download it again.',
    );
  }
  return { shape, data: bytes.subarray(offset) };
}
