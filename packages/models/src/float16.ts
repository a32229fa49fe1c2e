/**
 * float16 weights: half the bytes, and tfjs dequantizes them to float32 on load (`quantization: { dtype:
 * 'float16' }` in the weights manifest). `saveModel(model, handler, { float16: true })` writes them.
 */
import type * as tf from '@tensorflow/tfjs-core';

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

/**
 * Converts encoded float32 weights (`tf.io.encodeWeights`' data and specs) to float16, rounding to nearest even;
 * returns the new bytes and specs marked as quantized. Values beyond float16's range become infinities, which
 * loading refuses, so a model with weights above 65504 cannot be saved in float16.
 */
export function quantizeFloat16(
  data: ArrayBuffer,
  specs: tf.io.WeightsManifestEntry[],
): { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] } {
  const source = new DataView(data);
  const total = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const half = new Uint16Array(total);
  let offset = 0;
  let index = 0;
  const out: tf.io.WeightsManifestEntry[] = [];
  for (const spec of specs) {
    if (spec.quantization || spec.dtype !== 'float32') {
      throw new Error(
        `saveModel: weight ${spec.name} is ${spec.dtype}${spec.quantization ? ', already quantized' : ''}; ` +
          'only float32 weights are stored as float16.',
      );
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i++) {
      const bits = toFloat16Bits(source.getFloat32(offset + 4 * i, true));
      if ((bits & 0x7c00) === 0x7c00) {
        throw new Error(
          `saveModel: weight ${spec.name} has the value ${source.getFloat32(offset + 4 * i, true)}, outside ` +
            'float16 range (65504); save it as float32.',
        );
      }
      half[index++] = bits;
    }
    offset += 4 * count;
    out.push({ ...spec, quantization: { dtype: 'float16' } });
  }
  if (offset !== data.byteLength) throw new Error('saveModel: the weights hold more bytes than their specs.');
  return { data: half.buffer, specs: out };
}
