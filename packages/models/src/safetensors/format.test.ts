/**
 * The safetensors format: writing and reading back, the half-precision conversions against known bit patterns,
 * and hostile headers (each refused with a message that names the problem, before anything is allocated).
 */
import { describe, expect, it } from 'vitest';
import {
  float32ToTensor,
  fromBfloat16Bits,
  fromFloat16Bits,
  MAX_SAFETENSORS_HEADER_BYTES,
  readSafetensors,
  type SafetensorsTensor,
  tensorToFloat32,
  toBfloat16Bits,
  writeSafetensors,
} from './format';

const f32 = (values: number[], shape: number[]): SafetensorsTensor =>
  float32ToTensor(Float32Array.from(values), shape, 'float32');

/** A file from a header (object or raw text) and a buffer, with the header length as given or as it is. */
function craft(header: unknown, buffer: Uint8Array = new Uint8Array(0), length?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + buffer.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, length ?? json.byteLength, true);
  out.set(json, 8);
  out.set(buffer, 8 + json.byteLength);
  return out;
}

describe('safetensors format', () => {
  it('writes and reads back tensors, metadata and order, the tensors starting at a multiple of 8', () => {
    const bytes = writeSafetensors(
      [
        ['b.weight', f32([1, 2, 3, 4, 5, 6], [2, 3])],
        ['a.bias', f32([-1.5], [1])],
        ['empty', f32([], [0, 4])],
      ],
      { format: 'pt', note: 'héllo' },
    );
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['b.weight', 'a.bias', 'empty']);
    expect(file.metadata).toEqual({ format: 'pt', note: 'héllo' });
    const weight = file.tensors.get('b.weight') as SafetensorsTensor;
    expect(weight.shape).toEqual([2, 3]);
    expect(Array.from(tensorToFloat32(weight))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(tensorToFloat32(file.tensors.get('a.bias') as SafetensorsTensor))).toEqual([-1.5]);
    expect(file.buffer.byteLength).toBe(28);
  });

  it('converts float16 and bfloat16 as IEEE 754 and the reference implementations do', () => {
    // float16: 1 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001, infinity 0x7c00
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    // bfloat16: the top 16 bits of float32, rounded to nearest even
    expect(toBfloat16Bits(1)).toBe(0x3f80);
    expect(toBfloat16Bits(-2)).toBe(0xc000);
    expect(toBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // a tie: to even
    expect(toBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // a tie: to even (up)
    expect(toBfloat16Bits(Number.NaN) & 0x7fc0).toBe(0x7fc0);
    expect(fromBfloat16Bits(0x3f80)).toBe(1);
    expect(fromBfloat16Bits(0x4049)).toBeCloseTo(3.140625, 10);
    const values = Float32Array.from([0, 0.1, -3.25, 1000, 1e-3]);
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const back = tensorToFloat32(float32ToTensor(values, [5], dtype));
      values.forEach((v, i) => {
        expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(
          Math.abs(v) * (dtype === 'float16' ? 2 ** -11 : 2 ** -8),
        );
      });
    }
    expect(() => float32ToTensor(Float32Array.from([70000]), [1], 'float16', 'w')).toThrow(
      /outside the range/,
    );
  });

  it('refuses to write repeated or reserved names and data of the wrong size', () => {
    expect(() => writeSafetensors([['__metadata__', f32([1], [1])]])).toThrow(/reserved/);
    expect(() =>
      writeSafetensors([
        ['a', f32([1], [1])],
        ['a', f32([1], [1])],
      ]),
    ).toThrow(/repeated/);
    expect(() => writeSafetensors([['a', { dtype: 'F32', shape: [2], data: new Uint8Array(4) }]])).toThrow(
      /needs 8/,
    );
  });

  const four = new Uint8Array(16);
  const entry = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  });
  it.each([
    ['a file shorter than the length field', new Uint8Array(5), /fewer than the 8/],
    [
      'a header length beyond the limit',
      craft({}, four, MAX_SAFETENSORS_HEADER_BYTES + 1),
      /more than the limit/,
    ],
    ['a header length beyond the file', craft({}, four, 10_000), /only .* follow/],
    [
      'a header length with its high word set',
      (() => {
        const bytes = craft({});
        new DataView(bytes.buffer).setUint32(4, 1, true);
        return bytes;
      })(),
      /more than the limit/,
    ],
    [
      'a header that is not UTF-8',
      (() => {
        const bytes = craft('{"a":"xx"}');
        bytes[8 + 6] = 0xff;
        return bytes;
      })(),
      /not UTF-8/,
    ],
    ['a header that is not JSON', craft('{"a": '), /not valid JSON/],
    ['a header that is a list', craft('[1, 2]'), /does not start with a JSON object/],
    [
      'a repeated tensor name',
      craft(`{"a":${JSON.stringify(entry(0, 8))},"a":${JSON.stringify(entry(8, 16))}}`, four),
      /twice/,
    ],
    ['an unknown dtype', craft({ a: { ...entry(0, 16), dtype: 'F128' } }, four), /dtype "F128"/],
    ['a negative size', craft({ a: { ...entry(0, 16), shape: [-4] } }, four), /not a list of sizes/],
    ['a fractional size', craft({ a: { ...entry(0, 16), shape: [2.5] } }, four), /not a list of sizes/],
    ['offsets outside the buffer', craft({ a: entry(0, 32, [8]) }, four), /outside the 16 bytes/],
    ['offsets backwards', craft({ a: { ...entry(0, 16), data_offsets: [16, 0] } }, four), /outside/],
    ['a size that does not match the shape', craft({ a: entry(0, 16, [3]) }, four), /needs 12/],
    ['a huge shape', craft({ a: entry(0, 16, [2 ** 40, 2 ** 40]) }, four), /needs/],
    ['overlapping tensors', craft({ a: entry(0, 8), b: entry(4, 12), c: entry(12, 16) }, four), /overlaps/],
    ['a gap between tensors', craft({ a: entry(0, 4), b: entry(8, 16) }, four), /belong to no tensor/],
    ['bytes after the last tensor', craft({ a: entry(0, 8) }, four), /8 to 16 .* belong to no tensor/],
    ['metadata that is not strings', craft({ __metadata__: { a: 1 } }), /not a string/],
    ['a tensor that is not an object', craft({ a: 3 }), /not described by an object/],
    [
      'offsets that are not a pair',
      craft({ a: { ...entry(0, 16), data_offsets: [0] } }, four),
      /data_offsets/,
    ],
  ])('refuses %s', (_, bytes, pattern) => {
    expect(() => readSafetensors(bytes, { where: 'test.safetensors' })).toThrow(pattern);
    expect(() => readSafetensors(bytes, { where: 'test.safetensors' })).toThrow(/test\.safetensors/);
  });

  it('refuses a buffer larger than maxBytes before decoding anything', () => {
    const bytes = writeSafetensors([['a', f32([1, 2, 3, 4], [4])]]);
    expect(() => readSafetensors(bytes, { maxBytes: 8 })).toThrow(/raise maxBytes/);
  });

  it('accepts tensors listed out of offset order, a null metadata and a header padded with spaces', () => {
    const bytes = craft(
      `{"b":${JSON.stringify(entry(8, 16))},"__metadata__":null,"a":${JSON.stringify(entry(0, 8))}}    `,
      four,
    );
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['b', 'a']);
    expect(file.metadata).toEqual({});
  });

  it('ignores braces and quotes inside strings when it looks for repeated names', () => {
    const bytes = craft({ __metadata__: { 'x"{,': '"a":{' }, a: entry(0, 16) }, four);
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['a']);
  });
});
