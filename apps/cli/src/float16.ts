/**
 * float16 weights for the demo: half the bytes, and tfjs dequantizes them to float32 on load (`quantization:
 * { dtype: 'float16' }` in the weights manifest). The same conversion as apps/demo/scripts/quantize.mjs.
 */
const float32 = new Float32Array(1);
const bits32 = new Uint32Array(float32.buffer);

/** The IEEE 754 half-precision bits of a number, rounded to nearest even. */
export function toFloat16Bits(value: number): number {
  float32[0] = value;
  const x = bits32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow: zero
    mantissa |= 0x800000; // subnormal half: shift the implicit bit in
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rounded = mantissa + half - 1 + ((mantissa >>> shift) & 1);
    return sign | (rounded >>> shift);
  }
  const rounded = mantissa + 0xfff + ((mantissa >>> 13) & 1);
  if (rounded & 0x800000) {
    mantissa = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else mantissa = rounded;
  return sign | (e << 10) | (mantissa >>> 13);
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** Converts float32 weights (the bytes of one manifest group) to float16; marks each spec as quantized. */
export function quantizeFloat16(bytes: Uint8Array, weights: WeightSpec[]): Uint8Array {
  const source = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const half = new Uint16Array(total);
  let offset = 0;
  let index = 0;
  for (const weight of weights) {
    if (weight.quantization || weight.dtype !== 'float32') {
      throw new Error(
        `${weight.name} is ${weight.dtype}${weight.quantization ? ', already quantized' : ''}.`,
      );
    }
    const count = weight.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i++) half[index++] = toFloat16Bits(source.getFloat32(offset + 4 * i, true));
    offset += 4 * count;
    weight.quantization = { dtype: 'float16' };
  }
  if (offset !== bytes.byteLength) throw new Error('the weights file holds more bytes than its weights.');
  return new Uint8Array(half.buffer);
}
