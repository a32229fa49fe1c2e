/**
 * A procedural dSprites: the 737,280 images of DeepMind's dSprites (Matthey et al., 2017) rendered on demand, on
 * the exact factor grid and in the exact index order of the original (`dsprites_ndarray_co1sh3sc6or40x32y32_64x64`),
 * with the ground-truth factors of every image. Browser-safe: a pure JavaScript rasterizer, no files.
 *
 * The original's rasterizer (sprite outlines, pixel mapping of position and scale) was never published, so the
 * pixels are not identical to the original's; the factors, their values and the order are. Conventions here:
 * - the frame is 64x64 pixels, pixel (row r, column c) covers [c, c+1] x [r, r+1] and is on when its centre lies
 *   inside the sprite (binary images, no anti-aliasing);
 * - posX moves the sprite's centre right and posY down: centre = (16 + 32 posX, 16 + 32 posY) pixels, so every
 *   sprite stays inside the frame at every position, scale and orientation;
 * - at scale 1 a sprite's unrotated bounding box is 20 pixels wide: a 20x20 square, a 20x10 ellipse (major axis
 *   horizontal), a heart 20 pixels wide and 19.6 high with its point down; scale multiplies the size;
 * - orientation rotates the sprite about its centre by that many radians, clockwise on screen (as LÖVE, which
 *   rendered the original, rotates); orientations 0 and 2*pi give the same image.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import type { DataSource } from './transforms';

/** Side of the square images. */
export const DSPRITES_IMAGE_SIZE = 64;

/** The factors of variation, in the original's order (its constant `color` factor left out). */
export const DSPRITES_FACTOR_NAMES = ['shape', 'scale', 'orientation', 'posX', 'posY'] as const;
export type DSpritesFactorName = (typeof DSPRITES_FACTOR_NAMES)[number];

/** Number of values each factor takes. */
export const DSPRITES_FACTOR_SIZES: readonly number[] = [3, 6, 40, 32, 32];

/** Index strides: index = sum(factor[k] * bases[k]); posY varies fastest. */
export const DSPRITES_FACTOR_BASES: readonly number[] = [245760, 40960, 1024, 32, 1];

/** Number of images (every combination of factor values once). */
export const DSPRITES_SIZE = 737280;

/** Names of the three shapes, by shape index. */
export const DSPRITES_SHAPE_NAMES = ['square', 'ellipse', 'heart'] as const;

const positions = Array.from({ length: 32 }, (_, i) => i / 31);

/**
 * The value of each factor on the original's grid (`latents_possible_values` of the .npz). `shape` holds the
 * original's codes 1, 2, 3 (square, ellipse, heart); orientation is 2*pi*i/39, i = 0..39, so 0 and 2*pi both occur.
 */
export const DSPRITES_FACTOR_VALUES: Readonly<Record<DSpritesFactorName, readonly number[]>> = {
  shape: [1, 2, 3],
  scale: [0.5, 0.6, 0.7, 0.8, 0.9, 1],
  orientation: [
    0, 0.16110731556870733, 0.32221463113741466, 0.483321946706122, 0.6444292622748293, 0.8055365778435367,
    0.966643893412244, 1.1277512089809514, 1.2888585245496587, 1.4499658401183662, 1.6110731556870734,
    1.7721804712557805, 1.933287786824488, 2.0943951023931957, 2.2555024179619028, 2.41660973353061,
    2.5777170490993173, 2.738824364668025, 2.8999316802367323, 3.0610389958054394, 3.222146311374147,
    3.3832536269428544, 3.544360942511561, 3.7054682580802685, 3.866575573648976, 4.027682889217684,
    4.188790204786391, 4.349897520355098, 4.5110048359238055, 4.672112151492513, 4.83321946706122,
    4.994326782629927, 5.155434098198635, 5.316541413767342, 5.47764872933605, 5.638756044904757,
    5.799863360473465, 5.960970676042172, 6.122077991610879, 6.283185307179586,
  ],
  posX: positions,
  posY: positions,
};

/** One sprite with continuous parameters (for rendering off the grid). */
export interface SpriteParameters {
  /** 0 square, 1 ellipse, 2 heart. */
  shape: number;
  /** Relative size; the grid has 0.5 .. 1. */
  scale: number;
  /** Radians, clockwise on screen. */
  orientation: number;
  /** Horizontal position in [0, 1] (left to right). */
  posX: number;
  /** Vertical position in [0, 1] (top to bottom). */
  posY: number;
}

/** Sprite size in pixels at scale 1 (width of the unrotated bounding box). */
const SPRITE_PIXELS = 20;
/** Where posX = 0 and posX = 1 put the centre, in pixels. */
const POSITION_OFFSET = 16;
const POSITION_RANGE = 32;
/** Half-extent of the heart curve (x^2 + y^2 - 1)^3 = x^2 y^3: x in [-1.13926, 1.13926], y in [-1, 1.23607]. */
const HEART_HALF_WIDTH = 1.139262;
const HEART_Y_CENTRE = (1.236068 - 1) / 2;
/** Largest distance from the centre to the outline, in units of the sprite size, per shape. */
const SHAPE_RADIUS = [Math.SQRT1_2, 0.5, Math.SQRT1_2];

function insideShape(shape: number, u: number, v: number): boolean {
  // u to the right, v down, in units of the sprite's size (its unrotated width).
  if (shape === 0) return u >= -0.5 && u <= 0.5 && v >= -0.5 && v <= 0.5;
  if (shape === 1) return 4 * u * u + 16 * v * v <= 1;
  const x = u * 2 * HEART_HALF_WIDTH;
  const y = -v * 2 * HEART_HALF_WIDTH + HEART_Y_CENTRE;
  const r = x * x + y * y - 1;
  return r * r * r - x * x * y * y * y <= 0;
}

/**
 * Draws one sprite into `out` (64*64 floats, row-major, starting at `offset`), which must hold zeros: pixels inside
 * the sprite become 1.
 */
export function drawSprite(sprite: SpriteParameters, out: Float32Array | Uint8Array, offset = 0): void {
  const { shape, scale, posX, posY } = sprite;
  if (shape !== 0 && shape !== 1 && shape !== 2) {
    throw new Error(`dSprites: shape must be 0 (square), 1 (ellipse) or 2 (heart), got ${shape}.`);
  }
  if (
    !(scale > 0) ||
    !Number.isFinite(sprite.orientation) ||
    !Number.isFinite(posX) ||
    !Number.isFinite(posY)
  ) {
    throw new Error(
      `dSprites: scale must be positive and orientation, posX, posY finite; got ${JSON.stringify(sprite)}.`,
    );
  }
  const size = DSPRITES_IMAGE_SIZE;
  // 0 and 2*pi are the same orientation: reduce so that they give identical pixels.
  const orientation = sprite.orientation % (2 * Math.PI);
  const cos = Math.cos(orientation);
  const sin = Math.sin(orientation);
  const pixels = SPRITE_PIXELS * scale;
  const inverse = 1 / pixels;
  const cx = POSITION_OFFSET + POSITION_RANGE * posX;
  const cy = POSITION_OFFSET + POSITION_RANGE * posY;
  const radius = SHAPE_RADIUS[shape] * pixels + 1;
  const rowStart = Math.max(0, Math.floor(cy - radius));
  const rowEnd = Math.min(size - 1, Math.ceil(cy + radius));
  const columnStart = Math.max(0, Math.floor(cx - radius));
  const columnEnd = Math.min(size - 1, Math.ceil(cx + radius));
  for (let row = rowStart; row <= rowEnd; row++) {
    const dy = row + 0.5 - cy;
    for (let column = columnStart; column <= columnEnd; column++) {
      const dx = column + 0.5 - cx;
      // Rotate the pixel centre back by the sprite's orientation (a clockwise rotation on screen, y down).
      const u = (cos * dx + sin * dy) * inverse;
      const v = (cos * dy - sin * dx) * inverse;
      if (insideShape(shape, u, v)) out[offset + row * size + column] = 1;
    }
  }
}

/** The image index of a combination of factor indices [shape, scale, orientation, posX, posY]. */
export function dspritesIndex(factors: ArrayLike<number>): number {
  if (factors.length !== 5) {
    throw new Error(
      `dSprites: expected 5 factor indices [shape, scale, orientation, posX, posY], got ${factors.length}.`,
    );
  }
  let index = 0;
  for (let k = 0; k < 5; k++) {
    const value = factors[k];
    if (!Number.isInteger(value) || value < 0 || value >= DSPRITES_FACTOR_SIZES[k]) {
      throw new Error(
        `dSprites: factor ${DSPRITES_FACTOR_NAMES[k]} index ${value} is out of range ` +
          `[0, ${DSPRITES_FACTOR_SIZES[k]}).`,
      );
    }
    index += value * DSPRITES_FACTOR_BASES[k];
  }
  return index;
}

/** The factor indices [shape, scale, orientation, posX, posY] of an image index (the inverse of `dspritesIndex`). */
export function dspritesFactors(index: number, out: Int32Array = new Int32Array(5)): Int32Array {
  if (!Number.isInteger(index) || index < 0 || index >= DSPRITES_SIZE) {
    throw new Error(`dSprites: index ${index} is out of range [0, ${DSPRITES_SIZE}).`);
  }
  let rest = index;
  for (let k = 0; k < 5; k++) {
    out[k] = Math.floor(rest / DSPRITES_FACTOR_BASES[k]);
    rest -= out[k] * DSPRITES_FACTOR_BASES[k];
  }
  return out;
}

/** Options of the procedural dSprites. */
export interface DSpritesOptions {
  /** Which factor serves as the integer label of each image (default 'shape'); `null` for no labels. */
  labelFactor?: DSpritesFactorName | null;
}

/** A batch of factor combinations sampled with one factor held fixed (what disentanglement metrics need). */
export interface FixedFactorSample {
  /** Index of the fixed factor (0 shape .. 4 posY). */
  factor: number;
  /** The value index it is fixed at. */
  value: number;
  /** Factor indices per example. */
  factors: Int32Array[];
}

/**
 * dSprites rendered on demand. Implements `BatchSource` (737,280 virtual images of [64, 64, 1], float32 0/1,
 * labels = the shape by default) and `FactorSource` (render any combination of factor indices) of `@vae/core`.
 */
export class DSprites implements DataSource {
  readonly name = 'dsprites';
  readonly size = DSPRITES_SIZE;
  readonly itemShape: readonly [number, number, number] = [DSPRITES_IMAGE_SIZE, DSPRITES_IMAGE_SIZE, 1];
  readonly factorSizes = DSPRITES_FACTOR_SIZES;
  readonly factorNames: readonly string[] = DSPRITES_FACTOR_NAMES;
  readonly factorValues = DSPRITES_FACTOR_VALUES;
  readonly classNames?: readonly string[];
  private readonly labelFactor: number;
  private labelCache?: Uint8Array;

  constructor(options: DSpritesOptions = {}) {
    const label = options.labelFactor === undefined ? 'shape' : options.labelFactor;
    this.labelFactor = label === null ? -1 : this.factorNumber(label);
    if (this.labelFactor === 0) this.classNames = DSPRITES_SHAPE_NAMES;
  }

  /** The label factor's value index of every image (computed on first use: 737,280 bytes). */
  get labels(): Uint8Array | undefined {
    if (this.labelFactor < 0) return undefined;
    if (!this.labelCache) {
      const labels = new Uint8Array(this.size);
      const base = DSPRITES_FACTOR_BASES[this.labelFactor];
      const count = DSPRITES_FACTOR_SIZES[this.labelFactor];
      for (let i = 0; i < labels.length; i++) labels[i] = Math.floor(i / base) % count;
      this.labelCache = labels;
    }
    return this.labelCache;
  }

  /** The position of a factor given by name or position. */
  factorNumber(factor: number | string): number {
    const k =
      typeof factor === 'number' ? factor : DSPRITES_FACTOR_NAMES.indexOf(factor as DSpritesFactorName);
    if (!Number.isInteger(k) || k < 0 || k >= 5) {
      throw new Error(
        `dSprites: unknown factor '${factor}'; use one of ${DSPRITES_FACTOR_NAMES.join(', ')}.`,
      );
    }
    return k;
  }

  /** Image index of factor indices [shape, scale, orientation, posX, posY]. */
  indexOf(factors: ArrayLike<number>): number {
    return dspritesIndex(factors);
  }

  /** Factor indices of each of the given images. */
  factorsOf(indices: ArrayLike<number>): Int32Array[] {
    return Array.from({ length: indices.length }, (_, i) => dspritesFactors(indices[i]));
  }

  /**
   * The original's `latents_values` row of factor indices: [color 1, shape 1..3, scale, orientation (radians),
   * posX, posY].
   */
  latentValues(factors: ArrayLike<number>): number[] {
    dspritesIndex(factors);
    return [1, ...DSPRITES_FACTOR_NAMES.map((name, k) => DSPRITES_FACTOR_VALUES[name][factors[k]])];
  }

  /** The sprite that factor indices describe. */
  sprite(factors: ArrayLike<number>): SpriteParameters {
    dspritesIndex(factors);
    const v = DSPRITES_FACTOR_VALUES;
    return {
      shape: factors[0],
      scale: v.scale[factors[1]],
      orientation: v.orientation[factors[2]],
      posX: v.posX[factors[3]],
      posY: v.posY[factors[4]],
    };
  }

  /** Pixels (0 or 1, row-major, 4096 per image) of the given images, as a plain array. */
  batchValues(indices: ArrayLike<number>): Float32Array {
    const factors = new Int32Array(5);
    const pixels = DSPRITES_IMAGE_SIZE * DSPRITES_IMAGE_SIZE;
    const out = new Float32Array(indices.length * pixels);
    for (let i = 0; i < indices.length; i++) {
      drawSprite(this.sprite(dspritesFactors(indices[i], factors)), out, i * pixels);
    }
    return out;
  }

  /** Float32 images [indices.length, 64, 64, 1] (BatchSource). */
  batch(indices: ArrayLike<number>): tf.Tensor4D {
    return tf.tensor4d(this.batchValues(indices), [indices.length, ...this.itemShape]);
  }

  /** Float32 images [factors.length, 64, 64, 1] for rows of factor indices (FactorSource). */
  render(factors: ReadonlyArray<ArrayLike<number>>): tf.Tensor4D {
    return this.batch(factors.map((f) => dspritesIndex(f)));
  }

  /** Pixels of sprites with arbitrary (off-grid) parameters, 4096 per sprite. */
  draw(sprites: readonly SpriteParameters[]): Float32Array {
    const pixels = DSPRITES_IMAGE_SIZE * DSPRITES_IMAGE_SIZE;
    const out = new Float32Array(sprites.length * pixels);
    sprites.forEach((sprite, i) => {
      drawSprite(sprite, out, i * pixels);
    });
    return out;
  }

  /** `count` factor combinations drawn uniformly (each factor independently). */
  sampleFactors(count: number, random: Random | number): Int32Array[] {
    const rng = typeof random === 'number' ? new Random(random) : random;
    return Array.from({ length: count }, () => {
      const f = new Int32Array(5);
      for (let k = 0; k < 5; k++) f[k] = rng.nextInt(DSPRITES_FACTOR_SIZES[k]);
      return f;
    });
  }

  /** `count` image indices drawn uniformly. */
  sampleIndices(count: number, random: Random | number): Int32Array {
    const rng = typeof random === 'number' ? new Random(random) : random;
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = rng.nextInt(DSPRITES_SIZE);
    return out;
  }

  /**
   * `count` factor combinations that all share one value of one factor (drawn at random unless `value` is given);
   * the other factors are drawn uniformly. The batches the beta-VAE and FactorVAE metrics are built from.
   */
  sampleFixedFactor(
    factor: number | DSpritesFactorName,
    count: number,
    random: Random | number,
    value?: number,
  ): FixedFactorSample {
    const k = this.factorNumber(factor);
    const rng = typeof random === 'number' ? new Random(random) : random;
    const fixed = value ?? rng.nextInt(DSPRITES_FACTOR_SIZES[k]);
    if (!Number.isInteger(fixed) || fixed < 0 || fixed >= DSPRITES_FACTOR_SIZES[k]) {
      throw new Error(
        `dSprites: value ${fixed} of factor ${DSPRITES_FACTOR_NAMES[k]} is out of range ` +
          `[0, ${DSPRITES_FACTOR_SIZES[k]}).`,
      );
    }
    const factors = this.sampleFactors(count, rng);
    for (const f of factors) f[k] = fixed;
    return { factor: k, value: fixed, factors };
  }
}
