/**
 * A reader for numeric arrays in MATLAB .mat files, levels 4 and 5 (the formats of files such as Sam Roweis'
 * `frey_rawface.mat`): full real or complex numeric matrices of any class, either byte order, compressed (v7)
 * elements included. Cells, structs, sparse and character arrays are skipped. v7.3 files are HDF5: not supported.
 */
import {
  type ByteLimit,
  checkMaxBytes,
  DEFAULT_MAX_BYTES,
  formatBytes,
  inflateLimited,
  TooLargeError,
  userLimit,
} from './limits';

/** One numeric variable. Values are column-major, as MATLAB stores them. */
export interface MatArray {
  name: string;
  /** MATLAB class, e.g. 'uint8', 'double'. */
  className: string;
  /** Dimensions, e.g. [560, 1965]. */
  dims: number[];
  /** Real part, column-major, in the type the file stores it in (a subarray of the file for bytes). */
  values:
    | Uint8Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | Uint32Array
    | Int32Array
    | Float32Array
    | Float64Array;
  /** Imaginary part, when the array is complex. */
  imaginary?: MatArray['values'];
}

const CLASS_NAMES: Record<number, string> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};

/** v5 element types: [bytes per value, typed array]. */
const V5_TYPES: Record<number, [number, string]> = {
  1: [1, 'int8'],
  2: [1, 'uint8'],
  3: [2, 'int16'],
  4: [2, 'uint16'],
  5: [4, 'int32'],
  6: [4, 'uint32'],
  7: [4, 'single'],
  9: [8, 'double'],
  12: [8, 'int64'],
  13: [8, 'uint64'],
};

const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

function readValues(
  bytes: Uint8Array,
  offset: number,
  count: number,
  type: string,
  littleEndian: boolean,
): MatArray['values'] {
  if (type === 'uint8') return bytes.subarray(offset, offset + count);
  if (type === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count).slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const make = <T extends MatArray['values']>(out: T, read: (i: number) => number): T => {
    for (let i = 0; i < count; i++) out[i] = read(i);
    return out;
  };
  switch (type) {
    case 'int16':
      return make(new Int16Array(count), (i) => view.getInt16(2 * i, littleEndian));
    case 'uint16':
      return make(new Uint16Array(count), (i) => view.getUint16(2 * i, littleEndian));
    case 'int32':
      return make(new Int32Array(count), (i) => view.getInt32(4 * i, littleEndian));
    case 'uint32':
      return make(new Uint32Array(count), (i) => view.getUint32(4 * i, littleEndian));
    case 'single':
      return make(new Float32Array(count), (i) => view.getFloat32(4 * i, littleEndian));
    case 'double':
      return make(new Float64Array(count), (i) => view.getFloat64(8 * i, littleEndian));
    case 'int64':
      return make(new Float64Array(count), (i) => Number(view.getBigInt64(8 * i, littleEndian)));
    default:
      return make(new Float64Array(count), (i) => Number(view.getBigUint64(8 * i, littleEndian)));
  }
}

/** Options of `parseMat`. */
export interface ParseMatOptions {
  /**
   * The most bytes the file's compressed (v7) elements may inflate to, all together: a zlib bomb inside a .mat fails
   * as soon as it passes this. Default 1 GiB.
   */
  maxBytes?: number;
}

/**
 * Parses a .mat file (level 4 or 5) and returns its numeric variables, in file order. Every size a header declares
 * is checked against the bytes the file holds before anything is allocated, and compressed elements inflate up to
 * `maxBytes` (default 1 GiB) at most.
 */
export function parseMat(bytes: Uint8Array, file = '.mat file', options: ParseMatOptions = {}): MatArray[] {
  const maxBytes = checkMaxBytes(options.maxBytes, DEFAULT_MAX_BYTES, 'parseMat');
  return parseMatLimited(
    bytes,
    file,
    userLimit(maxBytes, 'the decompressed elements of a .mat file', '{ maxBytes } to parseMat'),
  );
}

/** `parseMat` with a limit that carries its own words (e.g. Frey Face's). */
export function parseMatLimited(bytes: Uint8Array, file: string, limit: ByteLimit): MatArray[] {
  if (bytes.length < 20) {
    throw new Error(
      `${file} is truncated (${bytes.length} bytes); expected a MATLAB .mat file. Download it again.`,
    );
  }
  if (bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    throw new Error(
      `${file} is a MATLAB v7.3 (HDF5) file; save it with -v7 or -v6 (or -v4) to read it here.`,
    );
  }
  // A level-4 file starts with a small integer (its type code), so some of its first four bytes are zero; a
  // level-5 file starts with 116 bytes of text.
  const v4 = bytes[0] === 0 || bytes[1] === 0 || bytes[2] === 0 || bytes[3] === 0;
  return v4 ? parseMat4(bytes, file) : parseMat5(bytes, file, limit);
}

function parseMat4(bytes: Uint8Array, file: string): MatArray[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: MatArray[] = [];
  const precisions = ['double', 'single', 'int32', 'int16', 'uint16', 'uint8'];
  const sizes = [8, 4, 4, 2, 2, 1];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 20 > bytes.length) {
      throw new Error(
        `${file} is truncated: a level-4 matrix header at byte ${offset} is incomplete. Download it again.`,
      );
    }
    let littleEndian = true;
    let type = view.getInt32(offset, true);
    if (type < 0 || type > 4052) {
      littleEndian = false;
      type = view.getInt32(offset, false);
    }
    const machine = Math.floor(type / 1000);
    const precision = Math.floor(type / 10) % 10;
    const kind = type % 10;
    if (type < 0 || type > 4052 || machine > 1 || Math.floor(type / 100) % 10 !== 0 || precision > 5) {
      throw new Error(
        `${file} is not a MATLAB .mat file: bad level-4 type code ${type} at byte ${offset} ` +
          '(expected a level-5 header or a level-4 matrix). Check the file.',
      );
    }
    const rows = view.getInt32(offset + 4, littleEndian);
    const columns = view.getInt32(offset + 8, littleEndian);
    const complex = view.getInt32(offset + 12, littleEndian) !== 0;
    const nameLength = view.getInt32(offset + 16, littleEndian);
    if (rows < 0 || columns < 0 || nameLength < 1 || nameLength > 4096) {
      throw new Error(`${file} is corrupt: impossible level-4 header at byte ${offset}. Download it again.`);
    }
    const nameStart = offset + 20;
    const dataStart = nameStart + nameLength;
    const count = rows * columns;
    const dataBytes = count * sizes[precision] * (complex ? 2 : 1);
    if (dataStart + dataBytes > bytes.length) {
      throw new Error(
        `${file} is truncated: the level-4 matrix at byte ${offset} declares ${rows} x ${columns}` +
          `${complex ? ' complex' : ''} values, which needs ${dataBytes} bytes of data, ` +
          `${Math.max(0, bytes.length - dataStart)} remain. Delete it and download it again.`,
      );
    }
    const name = new TextDecoder().decode(bytes.subarray(nameStart, dataStart)).replace(/\0.*$/s, '');
    if (kind === 0) {
      const className = precisions[precision];
      out.push({
        name,
        className: className === 'single' ? 'single' : 'double',
        dims: [rows, columns],
        values: readValues(bytes, dataStart, count, className, littleEndian),
        imaginary: complex
          ? readValues(bytes, dataStart + count * sizes[precision], count, className, littleEndian)
          : undefined,
      });
    }
    offset = dataStart + dataBytes;
  }
  return out;
}

interface Element {
  type: number;
  data: Uint8Array;
  next: number;
}

function readElement(bytes: Uint8Array, offset: number, littleEndian: boolean, file: string): Element {
  if (offset + 8 > bytes.length) {
    throw new Error(
      `${file} is truncated: a data element at byte ${offset} is incomplete. Download it again.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
  const first = view.getUint32(0, littleEndian);
  if (first >>> 16 !== 0) {
    // Small data element: type and size in one word, up to 4 bytes of data in the next.
    const size = first >>> 16;
    if (size > 4)
      throw new Error(`${file} is corrupt: small data element of ${size} bytes at byte ${offset}.`);
    return { type: first & 0xffff, data: bytes.subarray(offset + 4, offset + 4 + size), next: offset + 8 };
  }
  const size = view.getUint32(4, littleEndian);
  const start = offset + 8;
  if (start + size > bytes.length) {
    throw new Error(
      `${file} is truncated: a data element at byte ${offset} declares ${size} bytes, ` +
        `${bytes.length - start} remain. Download it again.`,
    );
  }
  const padded = first === MI_COMPRESSED ? size : Math.ceil(size / 8) * 8;
  return { type: first, data: bytes.subarray(start, start + size), next: start + padded };
}

function parseMat5(bytes: Uint8Array, file: string, limit: ByteLimit): MatArray[] {
  if (bytes.length < 128) {
    throw new Error(`${file} is truncated: its 128-byte MAT-file header is incomplete. Download it again.`);
  }
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== 'IM' && indicator !== 'MI') {
    throw new Error(
      `${file} is not a MATLAB .mat file (no level-5 endian indicator 'IM'/'MI' at byte 126, found ` +
        `${JSON.stringify(indicator)}). Check that the path points to a .mat file.`,
    );
  }
  const littleEndian = indicator === 'IM';
  const out: MatArray[] = [];
  let offset = 128;
  let inflatedBytes = 0;
  while (offset < bytes.length) {
    const element = readElement(bytes, offset, littleEndian, file);
    offset = element.next;
    let matrix: Element | undefined = element;
    if (element.type === MI_COMPRESSED) {
      let inflated: Uint8Array;
      try {
        // The limit is for all compressed elements together.
        inflated = inflateLimited(element.data, 'zlib', file, {
          ...limit,
          maxBytes: limit.maxBytes - inflatedBytes,
        });
      } catch (error) {
        if (error instanceof TooLargeError) {
          throw new TooLargeError(
            `${file}: its compressed elements inflate to more than ${formatBytes(limit.maxBytes)}, ` +
              `the most allowed for ${limit.what}${limit.basis ? ` (${limit.basis})` : ''}; ${limit.fix}`,
          );
        }
        throw new Error(
          `${file} is corrupt: a compressed element does not inflate (${(error as Error).message}).`,
        );
      }
      inflatedBytes += inflated.length;
      matrix = readElement(inflated, 0, littleEndian, `${file} (a compressed element)`);
    }
    if (matrix.type !== MI_MATRIX) continue;
    const array = parseMatrix(matrix.data, littleEndian, file);
    if (array) out.push(array);
  }
  return out;
}

function parseMatrix(data: Uint8Array, littleEndian: boolean, file: string): MatArray | undefined {
  if (data.length === 0) return undefined;
  const flags = readElement(data, 0, littleEndian, file);
  if (flags.data.length < 4) {
    throw new Error(
      `${file} is corrupt: a matrix has no array flags (${flags.data.length} bytes). Check the file.`,
    );
  }
  const flagWord = new DataView(flags.data.buffer, flags.data.byteOffset, 4).getUint32(0, littleEndian);
  const classCode = flagWord & 0xff;
  const complex = (flagWord & 0x800) !== 0;
  const dimsElement = readElement(data, flags.next, littleEndian, file);
  const dimsView = new DataView(
    dimsElement.data.buffer,
    dimsElement.data.byteOffset,
    dimsElement.data.byteLength,
  );
  const dims: number[] = [];
  for (let i = 0; i + 4 <= dimsElement.data.length; i += 4) dims.push(dimsView.getInt32(i, littleEndian));
  const nameElement = readElement(data, dimsElement.next, littleEndian, file);
  const name = new TextDecoder().decode(nameElement.data);
  const className = CLASS_NAMES[classCode];
  if (!className) return undefined; // cell, struct, object, char, sparse: not numeric arrays
  if (dims.length < 2 || dims.some((d) => d < 0)) {
    throw new Error(
      `${file} is corrupt: variable '${name}' declares dimensions [${dims}] (expected two or more, none ` +
        'negative). Check the file.',
    );
  }
  // The data element's length was checked against the file when it was read; the declared dimensions must
  // describe exactly that many values (checked before anything is allocated).
  const count = dims.reduce((a, b) => a * b, 1);
  const read = (element: Element): MatArray['values'] => {
    const type = V5_TYPES[element.type];
    if (!type) throw new Error(`${file}: variable '${name}' has data of unknown type ${element.type}.`);
    if (element.data.length !== count * type[0]) {
      throw new Error(
        `${file} is corrupt: variable '${name}' [${dims}] needs ${count * type[0]} bytes of data, ` +
          `found ${element.data.length}. Download it again.`,
      );
    }
    return readValues(element.data, 0, count, type[1], littleEndian);
  };
  const real = readElement(data, nameElement.next, littleEndian, file);
  return {
    name,
    className,
    dims,
    values: read(real),
    imaginary: complex ? read(readElement(data, real.next, littleEndian, file)) : undefined,
  };
}
