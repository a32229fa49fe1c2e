// Rewrites a saved model (model.json + weights.bin) with float16 weights: half the bytes, and tfjs dequantizes
// them back to float32 on load (`quantization: { dtype: 'float16' }` in the weights manifest). float16 keeps
// 11 significant bits, far more than a VAE's weights need (decoded pixels change by about 1e-3).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const float32 = new Float32Array(1);
const bits32 = new Uint32Array(float32.buffer);

/** The IEEE 754 half-precision bits of a number, rounded to nearest even. */
export function toFloat16Bits(value) {
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

/** Converts every float32 weight of the model in `directory` to float16, in place. Returns the new byte size. */
export function quantizeModelFloat16(directory) {
  const modelFile = join(directory, 'model.json');
  const model = JSON.parse(readFileSync(modelFile, 'utf8'));
  for (const group of model.weightsManifest) {
    const chunks = group.paths.map((path) => readFileSync(join(directory, path)));
    const bytes = Buffer.concat(chunks);
    const source = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const output = [];
    let offset = 0;
    for (const weight of group.weights) {
      const count = weight.shape.reduce((a, b) => a * b, 1);
      if (weight.quantization || weight.dtype !== 'float32') {
        throw new Error(
          `quantize: ${weight.name} is ${weight.dtype}${weight.quantization ? ', quantized' : ''}.`,
        );
      }
      const half = new Uint16Array(count);
      for (let i = 0; i < count; i++) half[i] = toFloat16Bits(source.getFloat32(offset + 4 * i, true));
      offset += 4 * count;
      output.push(Buffer.from(half.buffer));
      weight.quantization = { dtype: 'float16' };
    }
    if (offset !== bytes.byteLength)
      throw new Error(`quantize: ${group.paths} holds more bytes than its weights.`);
    const data = Buffer.concat(output);
    writeFileSync(join(directory, group.paths[0]), data);
    group.paths = [group.paths[0]];
  }
  writeFileSync(modelFile, JSON.stringify(model));
  return model.weightsManifest;
}
