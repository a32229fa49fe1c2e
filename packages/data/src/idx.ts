/**
 * The IDX format of MNIST and its relatives: a 4-byte magic number (two zero bytes, a type code, the number of
 * dimensions), the dimensions as big-endian uint32, then the values. Only unsigned bytes (type 0x08) occur in
 * these data sets, and only those are supported.
 */

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses an uncompressed IDX file. Throws a clear error for anything else (gzip, other types, truncation). */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(
      `${name} is gzip-compressed; decompress it first (the Node loaders do this for .gz files).`,
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name} is not an IDX file (bad magic number); check that the path points to an IDX file.`,
    );
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) {
    throw new Error(
      `${name} holds IDX type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported.`,
    );
  }
  if (rank < 1 || bytes.length < 4 + 4 * rank) {
    throw new Error(`${name} is truncated: its header is incomplete. Download the file again.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (bytes.length !== offset + count) {
    throw new Error(
      `${name} has ${bytes.length - offset} bytes of data but its header [${shape}] needs ${count}; ` +
        'the file is truncated or corrupt. Download it again.',
    );
  }
  return { shape, data: bytes.subarray(offset) };
}
