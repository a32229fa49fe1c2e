/**
 * A biased binary image task with known subgroups, for studying debiasing (Amini et al., "Uncovering and Mitigating
 * Algorithmic Bias through Learned Latent Structure", AIES 2019): "is the sprite a heart?" (or another target
 * shape), where the positive class has a rare subgroup: inverted contrast (a dark sprite on a light background) or a
 * small scale. The rare subgroup is a few percent of the training positives but half of the positives of the
 * balanced test set, as a face set with homogeneous skin colour and pose would be against a diverse one. Negatives
 * (the other two shapes) carry the rare attribute at `negativeRareFraction`, so the attribute alone does not predict
 * the class. Rendered procedurally with dSprites' rasterizer (supersampled 64x64, averaged down), seeded, in memory.
 */
import { type BatchSource, Random, tensorSource } from '@vae/core';
import { DSPRITES_IMAGE_SIZE, DSPRITES_SHAPE_NAMES, drawSprite } from './dsprites';

/** The attribute that defines the rare subgroup of the positive class. */
export type RareAttribute = 'inverted' | 'small';
export type BiasedShapeName = (typeof DSPRITES_SHAPE_NAMES)[number];

export interface BiasedShapesOptions {
  /** Training examples. Default 4000. */
  trainSize?: number;
  /** Test examples, balanced: half positive, and half of each class with the rare attribute. Default 1000. */
  testSize?: number;
  /** Side of the square greyscale images: 16, 32 or 64. Default 32. */
  imageSize?: number;
  /** Seed of the generator; the same seed gives the same images. Default 0. */
  seed?: number;
  /** 'inverted' (dark sprite on a light background) or 'small' (9-13 of 64 pixels wide instead of 20-32). Default 'inverted'. */
  rareAttribute?: RareAttribute;
  /** Share of the training positives in the rare subgroup, in (0, 1). Default 0.04. */
  rareFraction?: number;
  /** Share of the training negatives with the rare attribute, in [0, 1]. Default 0.5. */
  negativeRareFraction?: number;
  /** Share of positives in the training set, in (0, 1). Default 0.5. */
  positiveFraction?: number;
  /** The shape of the positive class; the other two are negatives. Default 'heart'. */
  targetShape?: BiasedShapeName;
  /** Rotate every sprite by a random angle (a harder task). Default false: sprites upright. */
  rotate?: boolean;
}

/** One split: a `BatchSource` of [imageSize, imageSize, 1] images in [0, 1] with labels (1 = target shape). */
export interface BiasedShapesSplit extends BatchSource {
  readonly size: number;
  readonly itemShape: readonly number[];
  /** Pixels, row-major, imageSize^2 per example. */
  readonly values: Float32Array;
  /** 1 for the target shape, 0 otherwise. */
  readonly labels: Uint8Array;
  /** Subgroup of each example: 0 positive common, 1 positive rare, 2 negative common, 3 negative rare. */
  readonly groups: Uint8Array;
}

export interface BiasedShapes {
  train: BiasedShapesSplit;
  test: BiasedShapesSplit;
  /** Names of the subgroups 0..3. */
  groupNames: readonly string[];
  /** Names of the classes 0 and 1. */
  classNames: readonly string[];
  /** The generator's seed (repeat it to get the same data). */
  seed: number;
  /** Every option, defaults filled in. */
  options: Required<BiasedShapesOptions>;
}

export const BIASED_SHAPES_DEFAULTS: Required<BiasedShapesOptions> = {
  trainSize: 4000,
  testSize: 1000,
  imageSize: 32,
  seed: 0,
  rareAttribute: 'inverted',
  rareFraction: 0.04,
  negativeRareFraction: 0.5,
  positiveFraction: 0.5,
  targetShape: 'heart',
  rotate: false,
};

/** Subgroup indices. */
export const BIASED_SHAPES_SUBGROUPS = {
  positiveCommon: 0,
  positiveRare: 1,
  negativeCommon: 2,
  negativeRare: 3,
} as const;

function fail(message: string): never {
  throw new Error(`biasedShapes: ${message}`);
}

function checkOptions(o: Required<BiasedShapesOptions>): void {
  for (const name of ['trainSize', 'testSize'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 4 || o[name] > 1_000_000) {
      fail(`${name} must be an integer in [4, 1000000], got ${o[name]}.`);
    }
  }
  if (![16, 32, 64].includes(o.imageSize)) fail(`imageSize must be 16, 32 or 64, got ${o.imageSize}.`);
  if (!Number.isFinite(o.seed)) fail(`seed must be a finite number, got ${o.seed}.`);
  if (o.rareAttribute !== 'inverted' && o.rareAttribute !== 'small') {
    fail(`rareAttribute must be 'inverted' or 'small', got '${o.rareAttribute}'.`);
  }
  const open = (name: 'rareFraction' | 'positiveFraction') => {
    if (!(o[name] > 0 && o[name] < 1)) fail(`${name} must be a number in (0, 1), got ${o[name]}.`);
  };
  open('rareFraction');
  open('positiveFraction');
  if (!(o.negativeRareFraction >= 0 && o.negativeRareFraction <= 1)) {
    fail(`negativeRareFraction must be a number in [0, 1], got ${o.negativeRareFraction}.`);
  }
  if (typeof o.rotate !== 'boolean') fail(`rotate must be true or false, got ${o.rotate}.`);
  if (!DSPRITES_SHAPE_NAMES.includes(o.targetShape)) {
    fail(`targetShape must be one of ${DSPRITES_SHAPE_NAMES.join(', ')}, got '${o.targetShape}'.`);
  }
}

/** Draws one example of `group` into `out` at `offset` (imageSize^2 values). */
function renderExample(
  group: number,
  o: Required<BiasedShapesOptions>,
  random: Random,
  canvas: Float32Array,
  out: Float32Array,
  offset: number,
): void {
  const target = DSPRITES_SHAPE_NAMES.indexOf(o.targetShape);
  const positive =
    group === BIASED_SHAPES_SUBGROUPS.positiveCommon || group === BIASED_SHAPES_SUBGROUPS.positiveRare;
  const rare =
    group === BIASED_SHAPES_SUBGROUPS.positiveRare || group === BIASED_SHAPES_SUBGROUPS.negativeRare;
  const shape = positive ? target : (target + 1 + random.nextInt(2)) % 3;
  const small = rare && o.rareAttribute === 'small';
  // dSprites' scale 1 is 20 of the 64 pixels; here sprites are 20-32 pixels (small ones 9-13), kept inside the frame
  const scale = small ? 0.45 + 0.2 * random.next() : 1 + 0.6 * random.next();
  canvas.fill(0);
  drawSprite(
    {
      shape,
      scale,
      orientation: o.rotate ? 2 * Math.PI * random.next() : 0,
      posX: 0.2 + 0.6 * random.next(),
      posY: 0.2 + 0.6 * random.next(),
    },
    canvas,
  );
  const invert = rare && o.rareAttribute === 'inverted';
  const size = o.imageSize;
  const factor = DSPRITES_IMAGE_SIZE / size;
  const area = factor * factor;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (let r = 0; r < factor; r++) {
        const base = (row * factor + r) * DSPRITES_IMAGE_SIZE + column * factor;
        for (let c = 0; c < factor; c++) sum += canvas[base + c];
      }
      const value = sum / area;
      out[offset + row * size + column] = invert ? 1 - value : value;
    }
  }
}

function makeSplit(groups: Uint8Array, o: Required<BiasedShapesOptions>, random: Random): BiasedShapesSplit {
  const size = groups.length;
  const pixels = o.imageSize * o.imageSize;
  const values = new Float32Array(size * pixels);
  const labels = new Uint8Array(size);
  const canvas = new Float32Array(DSPRITES_IMAGE_SIZE * DSPRITES_IMAGE_SIZE);
  for (let i = 0; i < size; i++) {
    labels[i] = groups[i] <= BIASED_SHAPES_SUBGROUPS.positiveRare ? 1 : 0;
    renderExample(groups[i], o, random, canvas, values, i * pixels);
  }
  const shape = [size, o.imageSize, o.imageSize, 1];
  return { ...tensorSource({ values, shape }, labels), values, labels, groups };
}

/** Subgroups with exact counts (rounded), in shuffled order. */
function groupsWithCounts(counts: readonly number[], random: Random): Uint8Array {
  const groups = new Uint8Array(counts.reduce((a, b) => a + b, 0));
  let at = 0;
  counts.forEach((count, group) => {
    groups.fill(group, at, at + count);
    at += count;
  });
  return random.shuffle(groups);
}

/**
 * Generates the biased training set and the balanced test set (see the module's description), both seeded by
 * `seed`. Subgroup counts are exact: the training set has round(trainSize x positiveFraction) positives, of which
 * round(positives x rareFraction) (at least 1) are rare; the test set a quarter of each subgroup.
 */
export function biasedShapes(options: BiasedShapesOptions = {}): BiasedShapes {
  const o: Required<BiasedShapesOptions> = { ...BIASED_SHAPES_DEFAULTS, ...options };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined)
      (o as Record<string, unknown>)[key] = (BIASED_SHAPES_DEFAULTS as Record<string, unknown>)[key];
  }
  checkOptions(o);
  const random = new Random(o.seed);
  const positives = Math.round(o.trainSize * o.positiveFraction);
  const negatives = o.trainSize - positives;
  if (positives < 2 || negatives < 1) {
    fail(
      `trainSize ${o.trainSize} with positiveFraction ${o.positiveFraction} leaves ${positives} positives and ` +
        `${negatives} negatives; use a larger trainSize.`,
    );
  }
  const rarePositives = Math.min(positives - 1, Math.max(1, Math.round(positives * o.rareFraction)));
  const rareNegatives = Math.round(negatives * o.negativeRareFraction);
  const trainGroups = groupsWithCounts(
    [positives - rarePositives, rarePositives, negatives - rareNegatives, rareNegatives],
    random,
  );
  const quarter = Math.floor(o.testSize / 4);
  const rest = o.testSize - 4 * quarter;
  // A remainder goes to the common subgroups, alternating classes.
  const testGroups = groupsWithCounts(
    [quarter + Math.ceil(rest / 2), quarter, quarter + Math.floor(rest / 2), quarter],
    random,
  );
  const train = makeSplit(trainGroups, o, random);
  const test = makeSplit(testGroups, o, random);
  const target = o.targetShape;
  const rare = o.rareAttribute;
  return {
    train,
    test,
    groupNames: [target, `${target} (${rare})`, `not ${target}`, `not ${target} (${rare})`],
    classNames: [`not ${target}`, target],
    seed: o.seed,
    options: o,
  };
}
