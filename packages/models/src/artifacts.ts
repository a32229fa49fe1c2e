/**
 * Saved models and checkpoints are untrusted input: a folder from a colleague, a URL, an upload. This module holds
 * the checks every loader runs, whatever the IO handler, before a tensor is allocated: the weights manifest's
 * structure and byte count, the SHA-256 of the weights, the size the config would build against the weights
 * present, and finite values. See SECURITY.md at the repository root for what a loader guarantees.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { sha256Available, sha256Hex } from '@vae/core';

/** Options of every model loader (`loadModel`, `loadCheckpoint`, `loadModelFromDirectory`, URLs). */
export interface LoadOptions {
  /**
   * Refuse weights larger than this many bytes in all, before reading them. Default 1 GiB (the weights of a
   * 268-million-parameter float32 model); raise it for larger models you trust.
   */
  maxBytes?: number;
  /**
   * Where notices go, e.g. that a model saved before checksums existed was loaded unverified. Default
   * `console.warn`.
   */
  onWarning?: (message: string) => void;
  /**
   * URLs only: allow `model.json` to name weight files on another origin than its own. Default false: a
   * manifest that points elsewhere is refused.
   */
  allowCrossOrigin?: boolean;
  /** URLs only: the fetch to use (default `globalThis.fetch`), e.g. one that adds credentials. */
  fetch?: typeof globalThis.fetch;
  /** URLs only: cancels the download. */
  signal?: AbortSignal;
  /**
   * URLs only: give up when no byte arrives for this many milliseconds (a server that stalls cannot hang the
   * load). Default 30,000.
   */
  stallTimeoutMs?: number;
  /**
   * Pin the weights: the SHA-256 (hex) they must have. A model whose recorded checksum is another (or that
   * records none) is refused before its weights are used, and the weights are verified against it, so a model
   * replaced on a server (model.json and weights together) is refused too. For a safetensors file it is the
   * SHA-256 of the tensor data after the header (what its `vae.weightsSha256` metadata records), checked against
   * the bytes whatever the file records. Where SHA-256 is unavailable (an http:// page) a pinned load throws.
   * Default: none (the model's own recorded checksum is verified).
   */
  weightsSha256?: string;
}

export const DEFAULT_MAX_WEIGHT_BYTES = 2 ** 30;
/** model.json / checkpoint.json larger than this are refused (a custom tfjs network's JSON fits many times). */
export const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;

const DTYPES = new Set(['float32', 'int32', 'bool']);
// float16 only: the one quantization saveModel writes (uint8 and uint16 carry a scale that can overflow to infinity,
// and tfjs decodes other pairings only halfway before it throws)
const QUANTIZED: Record<string, number> = { float16: 2 };

export function maxWeightBytes(options: LoadOptions): number {
  const max = options.maxBytes ?? DEFAULT_MAX_WEIGHT_BYTES;
  if (!(max > 0) || !Number.isFinite(max)) {
    throw new Error(`loadModel: maxBytes must be a positive number of bytes, got ${max}.`);
  }
  return max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bytes one element of a manifest entry takes in the weights file. */
function bytesPerElement(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return QUANTIZED[spec.quantization.dtype];
  return spec.dtype === 'bool' ? 1 : 4;
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks an untrusted weights manifest (the `weights` entries of model.json's `weightsManifest`): unique names,
 * shapes of non-negative integers, known dtypes and quantizations, and a total size within `maxBytes`. Returns
 * the total byte length the weights file(s) must have.
 */
export function checkWeightSpecs(specs: unknown, where: string, maxBytes: number): number {
  if (!Array.isArray(specs)) {
    throw new Error(
      `${where}: the weights manifest is not a list of weights; the file is corrupt. Save it again.`,
    );
  }
  const names = new Set<string>();
  let total = 0;
  for (const [i, spec] of specs.entries()) {
    const bad = (why: string): never => {
      throw new Error(
        `${where}: weight ${i} of the manifest ${why}; the file is corrupt or not written by @vae/models.`,
      );
    };
    if (!isPlainObject(spec)) bad('is not an object');
    const s = spec as Record<string, unknown>;
    if (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > 512) bad('has no valid name');
    const name = s.name as string;
    if (name.split('/').includes('__proto__')) bad(`has the name '${name}', which would set a prototype`);
    if (names.has(name)) bad(`repeats the name '${name}'`);
    names.add(name);
    if (
      !Array.isArray(s.shape) ||
      s.shape.length > 8 ||
      s.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0 || (d as number) > 2 ** 31)
    ) {
      bad(`('${name}') has shape ${JSON.stringify(s.shape)}, not a list of at most 8 sizes`);
    }
    if (!DTYPES.has(s.dtype as string)) bad(`('${name}') has dtype ${JSON.stringify(s.dtype)}`);
    if (s.quantization !== undefined) {
      const q = s.quantization;
      if (!isPlainObject(q) || !Object.hasOwn(QUANTIZED, String(q.dtype)) || s.dtype !== 'float32') {
        bad(
          `('${name}', ${JSON.stringify(s.dtype)}) has the quantization ${JSON.stringify(q)?.slice(0, 80)}; only ` +
            'float32 weights stored as float16 are read',
        );
      }
      const { scale, min } = q as { scale?: unknown; min?: unknown };
      for (const [field, value] of [
        ['scale', scale],
        ['min', min],
      ] as const) {
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
          bad(`('${name}') has a non-finite quantization ${field}`);
        }
      }
    }
    total += elementCount(s.shape as number[]) * bytesPerElement(s as unknown as tf.io.WeightsManifestEntry);
    if (total > maxBytes) {
      throw new Error(
        `${where}: the manifest describes more than ${maxBytes.toLocaleString('en-US')} bytes of weights ` +
          `(at weight '${name}'); if you trust this model, load it with a larger maxBytes.`,
      );
    }
  }
  return total;
}

/**
 * Checks an untrusted model.json's `weightsManifest` (groups of `paths` and `weights`) and its weight entries (see
 * `checkWeightSpecs`); returns the groups' paths and entries in order, and the byte length they describe. `where`
 * names the file in errors.
 */
export function checkManifest(
  json: unknown,
  where: string,
  maxBytes: number,
): { paths: unknown[]; specs: tf.io.WeightsManifestEntry[]; bytes: number } {
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (
    !Array.isArray(manifest) ||
    manifest.some((group) => !Array.isArray(group?.paths) || !Array.isArray(group?.weights))
  ) {
    throw new Error(`${where} has no valid weightsManifest; it is not a saved model. Save the model again.`);
  }
  const groups = manifest as Array<{ paths: unknown[]; weights: tf.io.WeightsManifestEntry[] }>;
  const specs = groups.flatMap((group) => group.weights);
  const bytes = checkWeightSpecs(specs, where, maxBytes);
  return { paths: groups.flatMap((group) => group.paths), specs, bytes };
}

/** Number of values the manifest entries describe. */
export function weightElementCount(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, s) => n + elementCount(s.shape), 0);
}

/**
 * Throws naming the first weight that holds NaN or an infinity, read from the raw bytes (float32, or float16
 * quantization), so that nothing is allocated for a model that would only compute NaN.
 */
export function checkFiniteWeights(
  data: ArrayBuffer,
  specs: tf.io.WeightsManifestEntry[],
  where: string,
): void {
  const view = new DataView(data);
  let offset = 0;
  for (const spec of specs) {
    const count = elementCount(spec.shape);
    const size = count * bytesPerElement(spec);
    let bad = -1;
    if (spec.quantization?.dtype === 'float16') {
      for (let i = 0; i < count; i++) {
        if ((view.getUint16(offset + 2 * i, true) & 0x7c00) === 0x7c00) {
          bad = i;
          break;
        }
      }
    } else if (!spec.quantization && spec.dtype === 'float32') {
      const floats = offset % 4 === 0 ? new Float32Array(data, offset, count) : null;
      for (let i = 0; i < count; i++) {
        const v = floats ? floats[i] : view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) {
          bad = i;
          break;
        }
      }
    }
    if (bad >= 0) {
      throw new Error(
        `${where}: weight '${spec.name}' holds a non-finite value (NaN or infinity) at element ${bad}; the model ` +
          'diverged before it was saved or the file is corrupt. Use an earlier save.',
      );
    }
    offset += size;
  }
}

/**
 * Verifies the SHA-256 that `saveModel` records of the weights. Models saved before checksums existed load
 * with a notice; where SHA-256 is unavailable (an http:// page), they load with a notice too.
 */
export async function verifyWeightsChecksum(
  data: ArrayBuffer,
  expected: unknown,
  where: string,
  warn: (message: string) => void,
): Promise<void> {
  if (expected === undefined) {
    warn(
      `${where}: the model has no checksum of its weights (saved by an older @vae/models), so a damaged file ` +
        'cannot be told apart; save it again to add one.',
    );
    return;
  }
  if (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) {
    throw new Error(`${where}: the recorded weights checksum is not a SHA-256; the file is corrupt.`);
  }
  if (!sha256Available()) {
    warn(
      `${where}: SHA-256 is not available here (serve the page over https), so the weights are not verified.`,
    );
    return;
  }
  const actual = await sha256Hex(new Uint8Array(data));
  if (actual !== expected) {
    throw new Error(
      `${where}: the weights do not match their recorded SHA-256 (${actual.slice(0, 12)}… instead of ` +
        `${expected.slice(0, 12)}…); the files are damaged or were changed after saving. Save the model again or ` +
        'get an intact copy.',
    );
  }
}

/**
 * Checks `data` against a checksum the caller pinned (`LoadOptions.weightsSha256`): the bytes themselves, whatever
 * the file records. Where SHA-256 is unavailable (an http:// page) a pin cannot be honoured, so this throws.
 */
export async function verifyPinnedChecksum(data: Uint8Array, pinned: unknown, where: string): Promise<void> {
  checkPin(pinned, where);
  requirePinnable(where);
  const actual = await sha256Hex(data);
  if (actual !== pinned) {
    throw new Error(
      `${where}: the weights' SHA-256 is ${actual.slice(0, 12)}…, not the pinned ${pinned.slice(0, 12)}…; this is ` +
        'not the pinned model (it was replaced or damaged). Get an intact copy, or drop the pin if you trust the new one.',
    );
  }
}

/** Checks the form of a pin (`LoadOptions.weightsSha256`): 64 lowercase hex digits. */
export function checkPin(pinned: unknown, where: string): asserts pinned is string {
  if (typeof pinned !== 'string' || !/^[0-9a-f]{64}$/.test(pinned)) {
    throw new Error(
      `${where}: options.weightsSha256 must be a SHA-256 in lowercase hex (64 characters), got ` +
        `${JSON.stringify(pinned)?.slice(0, 80)}.`,
    );
  }
}

/** Throws where a pinned checksum cannot be checked (no SHA-256: an http:// page). */
export function requirePinnable(where: string): void {
  if (!sha256Available()) {
    throw new Error(
      `${where}: options.weightsSha256 pins the weights, but SHA-256 is not available here (serve the page over ` +
        'https, or from localhost), so the pin cannot be checked. Load it where it can, or drop the pin.',
    );
  }
}

/**
 * The largest layer of a serialized tfjs Layers network, in weights it must have: its `units` or `filters` (each
 * has a weight), a dense layer's input width times its units (`batch_input_shape`), an embedding's
 * `input_dim` x `output_dim`.
 */
function largestUnits(json: unknown, depth = 0): number {
  if (depth > 64 || json === null || typeof json !== 'object') return 0;
  const fields = json as Record<string, unknown>;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  const units = count(fields.units);
  let largest = Math.max(units, count(fields.filters), count(fields.input_dim) * count(fields.output_dim));
  const shape = fields.batch_input_shape ?? fields.batchInputShape ?? fields.input_shape;
  if (units > 0 && Array.isArray(shape) && shape.length > 0) {
    largest = Math.max(largest, count(shape[shape.length - 1]) * units);
  }
  for (const value of Object.values(fields)) largest = Math.max(largest, largestUnits(value, depth + 1));
  return largest;
}

interface SizeFields {
  inputShape?: unknown;
  hiddenUnits?: unknown;
  latentDim?: unknown;
  network?: unknown;
  filters?: unknown;
  kernelSize?: unknown;
  numClasses?: unknown;
  layers?: { encoder?: unknown; decoder?: unknown };
  /** Recommenders: items per user row (Mult-VAE, Mult-DAE) or entries per row (AutoRec). */
  items?: unknown;
  columns?: unknown;
  /** VQ-VAE's codebook: codebookSize x embeddingDim weights. */
  codebookSize?: unknown;
  embeddingDim?: unknown;
  /** FactorVAE's discriminator and M2's classifier: dense chains of their own. */
  discriminatorUnits?: unknown;
  classifierHiddenUnits?: unknown;
  /** PriorVAE: mixture components (each a mean and a variance per latent unit) or VampPrior pseudo-inputs. */
  components?: unknown;
}

/**
 * A lower bound on the number of weights the model that `config` describes has, computed without building it:
 * the kernels of the built-in encoder (convolutions, then the dense layers down to the latent size), or the
 * largest layer of a custom network. A manifest with fewer values than this cannot belong to the config, so a
 * config that asks for gigabytes is refused before anything is allocated.
 */
export function parameterLowerBound(config: SizeFields): number {
  const numbers = (v: unknown): number[] =>
    Array.isArray(v) && v.every((d) => typeof d === 'number' && d > 0) ? (v as number[]) : [];
  const inputShape = numbers(config.inputShape);
  const hidden = numbers(config.hiddenUnits);
  const latent = typeof config.latentDim === 'number' ? config.latentDim : 1;
  const condition = typeof config.numClasses === 'number' ? config.numClasses : 0;
  const width = typeof config.items === 'number' ? config.items : config.columns;
  if (typeof width === 'number' && width > 0) {
    // A recommender: rows of `width` entries into the hidden layers (AutoRec's hiddenUnits is one number).
    const units = typeof config.hiddenUnits === 'number' ? [config.hiddenUnits] : hidden;
    return width * (units[0] ?? latent);
  }
  const builtIn = () => {
    let parameters = 0;
    let flat = inputShape.reduce((a, b) => a * b, 1);
    if (config.network === 'conv' && inputShape.length === 3) {
      const k = typeof config.kernelSize === 'number' ? config.kernelSize : 1;
      let [h, w, c] = inputShape;
      for (const f of numbers(config.filters)) {
        parameters += k * k * c * f;
        [h, w, c] = [Math.ceil(h / 2), Math.ceil(w / 2), f];
      }
      flat = h * w * c;
    }
    // the kernels of a dense chain of these widths
    const chain = (widths: number[]) => widths.reduce((sum, w, i) => (i ? sum + widths[i - 1] * w : 0), 0);
    parameters += chain([flat + condition, ...hidden, latent]);
    const count = (v: unknown) => (typeof v === 'number' && v > 0 ? v : 0);
    parameters += count(config.codebookSize) * Math.max(1, count(config.embeddingDim));
    parameters += count(config.components) * Math.min(latent, flat); // mixture means, or VampPrior pseudo-inputs
    const discriminator = numbers(config.discriminatorUnits);
    if (discriminator.length) parameters += chain([latent, ...discriminator, 1]);
    const classifier = numbers(config.classifierHiddenUnits);
    if (classifier.length) parameters += chain([flat, ...classifier, Math.max(1, condition)]);
    return parameters;
  };
  const encoder = config.layers?.encoder;
  const decoder = config.layers?.decoder;
  if (encoder !== undefined && decoder !== undefined) {
    return Math.max(largestUnits(encoder), largestUnits(decoder));
  }
  return Math.max(builtIn(), largestUnits(encoder), largestUnits(decoder));
}

/** Refuses a config that would build a model larger than the weights present (see `parameterLowerBound`). */
export function checkConfigSize(config: unknown, weights: number, where: string): void {
  const needed = parameterLowerBound((config ?? {}) as SizeFields);
  if (!(needed <= weights)) {
    throw new Error(
      `${where}: the config describes a model with at least ${needed.toLocaleString('en-US')} weights, but the ` +
        `files hold ${weights.toLocaleString('en-US')}; the config and the weights do not belong together ` +
        '(the file was edited or is corrupt). Save the model again.',
    );
  }
}
