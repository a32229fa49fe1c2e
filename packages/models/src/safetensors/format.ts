/**
 * The safetensors format (Hugging Face), read and written from bytes in browsers and Node: an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { key:
 * value } }`, then the tensors' bytes (little-endian, row-major). A file is untrusted input: the header is checked
 * before anything is allocated for it (its length bounded and within the file, unique names, known dtypes, shapes
 * of safe integers, offsets inside the buffer, sizes equal to the shapes' element counts, no overlaps and no gaps:
 * the tensors cover the buffer exactly).
 */
import { toFloat16Bits } from '../float16';

/** The element types of the format and their sizes in bytes. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The float types @vae/models reads and writes (the rest are parsed and checked, then refused by models). */
export type FloatDtype = 'float32' | 'float16' | 'bfloat16';

export const FLOAT_DTYPES: Readonly<Record<FloatDtype, SafetensorsDtype>> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
};

/** One tensor: its element type, shape and raw bytes (little-endian, row-major). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** A parsed file: the tensors in file order, the string metadata (`__metadata__`) and the tensors' bytes. */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
  /** Everything after the header: the bytes of all tensors. */
  buffer: Uint8Array;
}

/** A header longer than this is refused (the reference implementation's limit is 100 MB too). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
/** Dimensions of one tensor, at most. */
const MAX_RANK = 16;
const MAX_NAME_LENGTH = 1024;

const isDtype = (value: unknown): value is SafetensorsDtype =>
  typeof value === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BYTES, value);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Elements of a shape; `Infinity` when the product is beyond any buffer (never NaN: a 0 gives 0). */
function elementCount(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The keys of the top-level object of valid JSON `text`, in order, duplicates included (JSON.parse keeps only
 * the last of a repeated key, so a second tensor of the same name would pass unseen).
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

export interface ReadSafetensorsOptions {
  /** Names the file in errors. Default 'safetensors'. */
  where?: string;
  /** Refuse a tensor buffer (the bytes after the header) larger than this. Default: no limit beyond the file. */
  maxBytes?: number;
}

/**
 * Parses a safetensors file and checks its header as untrusted input. The tensors' `data` are views into `bytes`
 * (nothing is copied). Throws an error naming the file, the tensor and what is wrong.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsFile {
  const where = options.where ?? 'safetensors';
  const corrupt = (why: string): never => {
    throw new Error(`${where}: ${why}; it is not a valid safetensors file (damaged, truncated or edited).`);
  };
  if (bytes.byteLength < 8)
    corrupt(`it has ${bytes.byteLength} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_SAFETENSORS_HEADER_BYTES) {
    corrupt(
      `its header length is ${headerLength.toLocaleString('en-US')} bytes, more than the limit of ` +
        `${MAX_SAFETENSORS_HEADER_BYTES.toLocaleString('en-US')}`,
    );
  }
  if (headerLength > bytes.byteLength - 8) {
    corrupt(
      `its header length is ${headerLength.toLocaleString('en-US')} bytes but only ` +
        `${(bytes.byteLength - 8).toLocaleString('en-US')} follow`,
    );
  }
  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.byteLength - bufferStart;
  if (options.maxBytes !== undefined && bufferLength > options.maxBytes) {
    throw new Error(
      `${where}: its tensors take ${bufferLength.toLocaleString('en-US')} bytes, more than the limit of ` +
        `${options.maxBytes.toLocaleString('en-US')}; if you trust this file, raise maxBytes.`,
    );
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, bufferStart));
  } catch {
    corrupt('its header is not UTF-8 text');
  }
  if (!text.startsWith('{')) corrupt('its header does not start with a JSON object');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    corrupt(`its header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) corrupt('its header is not a JSON object');
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) corrupt(`its header names '${key.slice(0, 200)}' twice`);
    seen.add(key);
  }

  const metadata: Record<string, string> = {};
  const entries: Array<{
    name: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
  }> = [];
  for (const name of keys) {
    const info = (header as Record<string, unknown>)[name];
    if (name === '__metadata__') {
      if (info === null) continue;
      if (!isPlainObject(info)) corrupt('its __metadata__ is not an object of strings');
      for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
        if (typeof value !== 'string') corrupt(`its __metadata__ '${key.slice(0, 200)}' is not a string`);
        metadata[key] = value as string;
      }
      continue;
    }
    const label = `tensor '${name.slice(0, 200)}'`;
    if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
      corrupt(`a tensor name has ${name.length} characters (1 to ${MAX_NAME_LENGTH} allowed)`);
    }
    if (!isPlainObject(info)) corrupt(`${label} is not described by an object`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (!isDtype(dtype)) {
      corrupt(
        `${label} has dtype ${JSON.stringify(dtype)?.slice(0, 40)}, not one of ` +
          Object.keys(SAFETENSORS_DTYPE_BYTES).join(', '),
      );
    }
    if (
      !Array.isArray(shape) ||
      shape.length > MAX_RANK ||
      shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)
    ) {
      corrupt(`${label} has shape ${JSON.stringify(shape)?.slice(0, 80)}, not a list of sizes`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      offsets.some((o) => !Number.isSafeInteger(o) || (o as number) < 0)
    ) {
      corrupt(`${label} has data_offsets ${JSON.stringify(offsets)?.slice(0, 80)}, not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > bufferLength) {
      corrupt(`${label} has data_offsets [${begin}, ${end}] outside the ${bufferLength} bytes of tensors`);
    }
    const expected = elementCount(shape as number[]) * SAFETENSORS_DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      corrupt(
        `${label} takes ${end - begin} bytes but its shape [${shape}] of ${dtype} needs ` +
          `${expected.toLocaleString('en-US')}`,
      );
    }
    entries.push({
      name,
      dtype: dtype as SafetensorsDtype,
      shape: [...(shape as number[])],
      begin,
      end,
    });
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  for (const entry of byOffset) {
    if (entry.begin < position) {
      corrupt(`tensor '${entry.name.slice(0, 200)}' overlaps the tensor before it (at byte ${entry.begin})`);
    }
    if (entry.begin > position) {
      corrupt(`bytes ${position} to ${entry.begin} of the tensors belong to no tensor`);
    }
    position = entry.end;
  }
  if (position !== bufferLength) {
    corrupt(`bytes ${position} to ${bufferLength} of the tensors belong to no tensor`);
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const entry of entries) {
    tensors.set(entry.name, {
      dtype: entry.dtype,
      shape: entry.shape,
      data: bytes.subarray(bufferStart + entry.begin, bufferStart + entry.end),
    });
  }
  return { tensors, metadata, buffer: bytes.subarray(bufferStart) };
}

/**
 * Writes a safetensors file: tensors in the given order, the header padded with spaces so that the tensors start
 * at a multiple of 8 bytes (as the reference implementation does). Names must be unique and not `__metadata__`.
 */
export function writeSafetensors(
  tensors: Iterable<readonly [string, SafetensorsTensor]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  const list = [...tensors];
  let offset = 0;
  for (const [name, tensor] of list) {
    if (name === '__metadata__' || name.length === 0 || Object.hasOwn(header, name)) {
      throw new Error(`writeSafetensors: the tensor name '${name}' is empty, reserved or repeated.`);
    }
    if (!isDtype(tensor.dtype)) throw new Error(`writeSafetensors: '${name}' has an unknown dtype.`);
    const size = elementCount(tensor.shape) * SAFETENSORS_DTYPE_BYTES[tensor.dtype];
    if (size !== tensor.data.byteLength) {
      throw new Error(
        `writeSafetensors: '${name}' has ${tensor.data.byteLength} bytes but [${tensor.shape}] of ` +
          `${tensor.dtype} needs ${size}.`,
      );
    }
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  if (padded !== json.byteLength) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(json);
    json = spaced;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.byteLength / 2 ** 32), true);
  out.set(json, 8);
  let position = 8 + json.byteLength;
  for (const [, tensor] of list) {
    out.set(tensor.data, position);
    position += tensor.data.byteLength;
  }
  return out;
}

/** The number a half-precision (IEEE 754 binary16) bit pattern stands for. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The bfloat16 bits of a number: float32 rounded to nearest even in its top 16 bits (NaN stays NaN). */
export function toBfloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The number a bfloat16 bit pattern stands for. */
export function fromBfloat16Bits(bits: number): number {
  scratchBits[0] = (bits & 0xffff) << 16;
  return scratch[0];
}

/** A float tensor's values as float32 (F32, F16 and BF16; other dtypes throw). */
export function tensorToFloat32(tensor: SafetensorsTensor, name = 'tensor'): Float32Array {
  const { data, dtype } = tensor;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = data.byteLength / SAFETENSORS_DTYPE_BYTES[dtype];
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = fromFloat16Bits(view.getUint16(2 * i, true));
  } else if (dtype === 'BF16') {
    for (let i = 0; i < count; i++) out[i] = fromBfloat16Bits(view.getUint16(2 * i, true));
  } else {
    throw new Error(`${name} is ${dtype}; only F32, F16 and BF16 tensors hold weights.`);
  }
  return out;
}

/**
 * float32 values as the bytes of a float tensor. float16 refuses values beyond its range (65504), which would
 * become infinities; bfloat16 has float32's range.
 */
export function float32ToTensor(
  values: Float32Array,
  shape: number[],
  dtype: FloatDtype,
  name = 'tensor',
): SafetensorsTensor {
  const size = values.length;
  if (dtype === 'float32') {
    const data = new Uint8Array(4 * size);
    const view = new DataView(data.buffer);
    for (let i = 0; i < size; i++) view.setFloat32(4 * i, values[i], true);
    return { dtype: 'F32', shape, data };
  }
  const data = new Uint8Array(2 * size);
  const view = new DataView(data.buffer);
  for (let i = 0; i < size; i++) {
    let bits: number;
    if (dtype === 'float16') {
      bits = toFloat16Bits(values[i]);
      if ((bits & 0x7c00) === 0x7c00 && Number.isFinite(values[i])) {
        throw new Error(
          `${name} has the value ${values[i]}, outside the range of float16 (65504); write float32 or bfloat16.`,
        );
      }
    } else {
      bits = toBfloat16Bits(values[i]);
    }
    view.setUint16(2 * i, bits, true);
  }
  return { dtype: FLOAT_DTYPES[dtype], shape, data };
}
