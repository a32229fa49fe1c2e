/**
 * Disentanglement metrics on data with ground-truth factors, following disentanglement_lib (Locatello et al. 2019):
 * the beta-VAE metric (Higgins et al. 2017), the FactorVAE metric (Kim and Mnih 2018) and the mutual information
 * gap (Chen et al. 2018). Defaults are disentanglement_lib's evaluation sizes. Factor values are drawn uniformly and
 * independently with a seeded generator, rendered by the `FactorSource` and encoded by the representation function
 * (typically the posterior mean) in chunks of at most `rowsPerCall` examples. After each chunk they report the
 * examples encoded to `onProgress`, yield to the event loop and stop if `signal` was aborted.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type FactorSource,
  type ProgressOptions,
  Random,
  type RepresentationFunction,
  reportProgress,
} from '@vae/core';
import { assertFinite, assertInRange, assertInteger } from './checks';
import { type SoftmaxRegressionOptions, trainSoftmaxRegression } from './classifier';
import type { Matrix } from './matrix';
import { entropy, mutualInformation } from './representation';

function checkSource(where: string, source: FactorSource): number {
  const sizes = source.factorSizes;
  if (sizes.length < 1) throw new Error(`${where}: the factor source has no factors.`);
  for (const [k, size] of sizes.entries()) assertInteger(where, `factorSizes[${k}]`, size);
  return sizes.length;
}

/** `count` rows of factor indices, each factor uniform over its values. */
function sampleFactors(sizes: readonly number[], count: number, random: Random): Int32Array[] {
  return Array.from({ length: count }, () => Int32Array.from(sizes, (size) => random.nextInt(size)));
}

/** Examples encoded so far of all a metric encodes, for `onProgress`. */
interface Tracker {
  options: ProgressOptions;
  done: number;
  total: number;
}

/** Renders and encodes factor rows in chunks; returns the codes as a [rows, codeSize] matrix. */
async function encodeFactors(
  where: string,
  source: FactorSource,
  represent: RepresentationFunction,
  factors: Int32Array[],
  rowsPerCall: number,
  tracker: Tracker,
): Promise<Matrix> {
  let values: Float64Array | undefined;
  let columns = 0;
  for (let start = 0; start < factors.length; start += rowsPerCall) {
    const end = Math.min(factors.length, start + rowsPerCall);
    const codes = tf.tidy(() => {
      const out = represent(source.render(factors.slice(start, end)));
      if (out.rank !== 2 || out.shape[0] !== end - start) {
        throw new Error(
          `${where}: the representation returned shape [${out.shape}] for ${end - start} inputs.`,
        );
      }
      return out;
    });
    const data = await codes.data();
    const width = codes.shape[1];
    codes.dispose();
    if (values === undefined) {
      columns = width;
      values = new Float64Array(factors.length * columns);
    } else if (width !== columns) {
      throw new Error(`${where}: the code size changed between calls (${columns} then ${width}).`);
    }
    values.set(data, start * columns);
    tracker.done += end - start;
    await reportProgress(tracker.options, tracker.done, tracker.total);
  }
  assertFinite(where, 'codes', values!);
  return { values: values!, rows: factors.length, columns };
}

function assertCodeSize(where: string, codes: Matrix, expected: number): void {
  if (codes.columns !== expected) {
    throw new Error(`${where}: the code size changed between calls (${expected} then ${codes.columns}).`);
  }
}

interface SizeOptions extends ProgressOptions {
  /** Seed for the factor sampling (and the classifier). Default 0. */
  seed?: number;
  /**
   * Most examples rendered and encoded per call, which bounds memory: the encoder's activations for this many
   * images exist at once. Default 512.
   */
  rowsPerCall?: number;
}

export interface BetaVaeScoreOptions extends SizeOptions {
  /** Pairs of examples averaged into one training point. Default 64 (disentanglement_lib). */
  batchSize?: number;
  /** Training points for the classifier. Default 10000 (disentanglement_lib). */
  trainPoints?: number;
  /** Evaluation points. Default 5000 (disentanglement_lib). */
  evalPoints?: number;
  /** Training of the logistic-regression classifier (see `linearProbeAccuracy`); its seed defaults to `seed`. */
  classifier?: SoftmaxRegressionOptions;
}

export interface DisentanglementScore {
  /** The score reported in papers: the evaluation accuracy for the classifier metrics, the gap for MIG. */
  score: number;
}

export interface BetaVaeScore extends DisentanglementScore {
  trainAccuracy: number;
  evalAccuracy: number;
}

/**
 * The beta-VAE metric (Higgins et al. 2017), as disentanglement_lib computes it: each point fixes one random factor
 * k across `batchSize` pairs of examples whose other factors are drawn independently, and its features are the mean
 * absolute difference of the pairs' codes; a linear classifier (multinomial logistic regression) predicts k from the
 * features. The score is its accuracy on fresh evaluation points: 1 for a disentangled code, 1 / factors by chance.
 */
export async function betaVaeScore(
  source: FactorSource,
  represent: RepresentationFunction,
  options: BetaVaeScoreOptions = {},
): Promise<BetaVaeScore> {
  const where = 'betaVaeScore';
  const factorCount = checkSource(where, source);
  const batchSize = options.batchSize ?? 64;
  const trainPoints = options.trainPoints ?? 10000;
  const evalPoints = options.evalPoints ?? 5000;
  const rowsPerCall = options.rowsPerCall ?? 512;
  const seed = options.seed ?? 0;
  assertInteger(where, 'batchSize', batchSize);
  assertInteger(where, 'trainPoints', trainPoints);
  assertInteger(where, 'evalPoints', evalPoints);
  assertInteger(where, 'rowsPerCall', rowsPerCall);
  const random = new Random(seed);
  const tracker = { options, done: 0, total: (trainPoints + evalPoints) * 2 * batchSize };

  const generate = async (points: number) => {
    const labels = new Int32Array(points);
    let features: Float64Array | undefined;
    let columns = 0;
    // Whole points per chunk, so each chunk holds both halves of its pairs.
    const pointsPerChunk = Math.max(1, Math.floor(rowsPerCall / (2 * batchSize)));
    for (let start = 0; start < points; start += pointsPerChunk) {
      const end = Math.min(points, start + pointsPerChunk);
      const rows: Int32Array[] = [];
      for (let p = start; p < end; p++) {
        const index = random.nextInt(factorCount);
        const first = sampleFactors(source.factorSizes, batchSize, random);
        const second = sampleFactors(source.factorSizes, batchSize, random);
        for (let b = 0; b < batchSize; b++) second[b][index] = first[b][index];
        labels[p] = index;
        rows.push(...first, ...second);
      }
      const codes = await encodeFactors(where, source, represent, rows, rowsPerCall, tracker);
      if (features === undefined) {
        columns = codes.columns;
        features = new Float64Array(points * columns);
      } else {
        assertCodeSize(where, codes, columns);
      }
      for (let p = start; p < end; p++) {
        const base = (p - start) * 2 * batchSize;
        for (let b = 0; b < batchSize; b++) {
          const a = (base + b) * columns;
          const c = (base + batchSize + b) * columns;
          for (let j = 0; j < columns; j++) {
            features[p * columns + j] += Math.abs(codes.values[a + j] - codes.values[c + j]) / batchSize;
          }
        }
      }
    }
    return { features: { values: features!, rows: points, columns } as Matrix, labels };
  };

  const train = await generate(trainPoints);
  const classifier = trainSoftmaxRegression(
    train.features,
    train.labels,
    factorCount,
    { seed, ...options.classifier },
    where,
  );
  const trainAccuracy = agreement(classifier.predict(train.features), train.labels);
  const evaluation = await generate(evalPoints);
  const evalAccuracy = agreement(classifier.predict(evaluation.features), evaluation.labels);
  return { score: evalAccuracy, trainAccuracy, evalAccuracy };
}

function agreement(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same += 1;
  return same / a.length;
}

/** Per-column sample variances (divided by rows - 1) of `rows` consecutive rows starting at `first`. */
function columnVariances(codes: Matrix, first: number, rows: number): Float64Array {
  const { columns, values } = codes;
  const mean = new Float64Array(columns);
  for (let i = first; i < first + rows; i++)
    for (let j = 0; j < columns; j++) mean[j] += values[i * columns + j] / rows;
  const variance = new Float64Array(columns);
  for (let i = first; i < first + rows; i++) {
    for (let j = 0; j < columns; j++) variance[j] += (values[i * columns + j] - mean[j]) ** 2 / (rows - 1);
  }
  return variance;
}

export interface FactorVaeScoreOptions extends SizeOptions {
  /** Examples per vote, all sharing the value of one factor. Default 64 (disentanglement_lib). */
  batchSize?: number;
  /** Votes for training the majority-vote classifier. Default 10000 (disentanglement_lib). */
  trainPoints?: number;
  /** Votes for evaluation. Default 5000 (disentanglement_lib). */
  evalPoints?: number;
  /** Examples used to estimate each code dimension's global variance. Default 10000 (disentanglement_lib). */
  varianceEstimatePoints?: number;
  /**
   * Code dimensions whose global standard deviation is below this are pruned as collapsed. Default 0.05 (the
   * threshold of disentanglement_lib's study configuration).
   */
  pruneThreshold?: number;
}

export interface FactorVaeScore extends DisentanglementScore {
  trainAccuracy: number;
  evalAccuracy: number;
  /** The code dimensions kept after pruning. */
  activeDimensions: number[];
}

/**
 * The FactorVAE metric (Kim and Mnih 2018), as disentanglement_lib computes it: code dimensions are scaled by their
 * global standard deviation, collapsed ones (standard deviation below `pruneThreshold`) are pruned; each vote fixes
 * one random factor k across `batchSize` examples and pairs k with the active dimension of least (scaled) variance;
 * a majority-vote classifier maps each dimension to the factor it most often stood for. The score is its accuracy on
 * fresh evaluation votes: 1 for a disentangled code, about 1 / factors by chance. 0 when every dimension is pruned.
 */
export async function factorVaeScore(
  source: FactorSource,
  represent: RepresentationFunction,
  options: FactorVaeScoreOptions = {},
): Promise<FactorVaeScore> {
  const where = 'factorVaeScore';
  const factorCount = checkSource(where, source);
  const batchSize = options.batchSize ?? 64;
  const trainPoints = options.trainPoints ?? 10000;
  const evalPoints = options.evalPoints ?? 5000;
  const varianceEstimatePoints = options.varianceEstimatePoints ?? 10000;
  const pruneThreshold = options.pruneThreshold ?? 0.05;
  const rowsPerCall = options.rowsPerCall ?? 512;
  assertInteger(where, 'batchSize', batchSize, 2);
  assertInteger(where, 'trainPoints', trainPoints);
  assertInteger(where, 'evalPoints', evalPoints);
  assertInteger(where, 'varianceEstimatePoints', varianceEstimatePoints, 2);
  assertInteger(where, 'rowsPerCall', rowsPerCall);
  assertInRange(where, 'pruneThreshold', pruneThreshold, 0, Number.MAX_VALUE);
  const random = new Random(options.seed ?? 0);
  const tracker = {
    options,
    done: 0,
    total: varianceEstimatePoints + (trainPoints + evalPoints) * batchSize,
  };

  const globalCodes = await encodeFactors(
    where,
    source,
    represent,
    sampleFactors(source.factorSizes, varianceEstimatePoints, random),
    rowsPerCall,
    tracker,
  );
  const globalVariances = columnVariances(globalCodes, 0, varianceEstimatePoints);
  const activeDimensions: number[] = [];
  globalVariances.forEach((variance, j) => {
    if (Math.sqrt(variance) >= pruneThreshold) activeDimensions.push(j);
  });
  if (activeDimensions.length === 0) {
    return { score: 0, trainAccuracy: 0, evalAccuracy: 0, activeDimensions };
  }
  const dimensions = globalCodes.columns;

  /** votes[k * dimensions + j]: how often fixing factor k made dimension j the least variable. */
  const vote = async (points: number) => {
    const votes = new Float64Array(factorCount * dimensions);
    const pointsPerChunk = Math.max(1, Math.floor(rowsPerCall / batchSize));
    for (let start = 0; start < points; start += pointsPerChunk) {
      const end = Math.min(points, start + pointsPerChunk);
      const rows: Int32Array[] = [];
      const fixed: number[] = [];
      for (let p = start; p < end; p++) {
        const index = random.nextInt(factorCount);
        const factors = sampleFactors(source.factorSizes, batchSize, random);
        for (let b = 1; b < batchSize; b++) factors[b][index] = factors[0][index];
        fixed.push(index);
        rows.push(...factors);
      }
      const codes = await encodeFactors(where, source, represent, rows, rowsPerCall, tracker);
      assertCodeSize(where, codes, dimensions);
      fixed.forEach((index, p) => {
        const local = columnVariances(codes, p * batchSize, batchSize);
        let best = activeDimensions[0];
        for (const j of activeDimensions) {
          if (local[j] / globalVariances[j] < local[best] / globalVariances[best]) best = j;
        }
        votes[index * dimensions + best] += 1;
      });
    }
    return votes;
  };
  const accuracy = (votes: Float64Array, classifier: Int32Array) => {
    let correct = 0;
    let total = 0;
    for (let j = 0; j < dimensions; j++) {
      correct += votes[classifier[j] * dimensions + j];
      for (let k = 0; k < factorCount; k++) total += votes[k * dimensions + j];
    }
    return correct / total;
  };

  const trainVotes = await vote(trainPoints);
  // Each dimension stands for the factor that most often fixed it (the first on ties).
  const classifier = new Int32Array(dimensions);
  for (let j = 0; j < dimensions; j++) {
    for (let k = 1; k < factorCount; k++) {
      if (trainVotes[k * dimensions + j] > trainVotes[classifier[j] * dimensions + j]) classifier[j] = k;
    }
  }
  const trainAccuracy = accuracy(trainVotes, classifier);
  const evalAccuracy = accuracy(await vote(evalPoints), classifier);
  return { score: evalAccuracy, trainAccuracy, evalAccuracy, activeDimensions };
}

export interface MutualInformationGapOptions extends SizeOptions {
  /** Examples drawn. Default 10000 (disentanglement_lib). */
  points?: number;
  /** Equal-width histogram bins per code dimension for the discretization. Default 20 (disentanglement_lib). */
  bins?: number;
}

export interface MutualInformationGap extends DisentanglementScore {
  /** For each factor, (I(z_top; v) - I(z_second; v)) / H(v); NaN for a factor with a single value. */
  gaps: Float64Array;
  /** I(z_j; v_k) in nats: `mutualInformation.values[j * factors + k]`, [codeSize, factors]. */
  mutualInformation: Matrix;
  /** H(v_k) of the sampled factor values, nats. */
  factorEntropies: Float64Array;
}

/**
 * Equal-width histogram discretization of one code dimension into `bins` bins spanning its range, as numpy's
 * histogram edges with digitize do in disentanglement_lib (the maximum joins the last bin). A constant dimension
 * becomes a single bin.
 */
function discretize(codes: Matrix, column: number, bins: number): Int32Array {
  const { rows, columns, values } = codes;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows; i++) {
    low = Math.min(low, values[i * columns + column]);
    high = Math.max(high, values[i * columns + column]);
  }
  const out = new Int32Array(rows);
  if (high === low) return out;
  const width = (high - low) / bins;
  for (let i = 0; i < rows; i++) {
    out[i] = Math.min(bins - 1, Math.floor((values[i * columns + column] - low) / width));
  }
  return out;
}

/**
 * The mutual information gap (Chen et al. 2018), as disentanglement_lib computes it: each code dimension is
 * discretized into `bins` equal-width bins; for each factor v_k, the gap between the two largest I(z_j; v_k) is
 * divided by H(v_k); the score is the mean over factors. 1 when each factor is captured by exactly one dimension,
 * near 0 for codes unrelated to the factors. Factors with a single value (zero entropy) are left out of the mean.
 */
export async function mutualInformationGap(
  source: FactorSource,
  represent: RepresentationFunction,
  options: MutualInformationGapOptions = {},
): Promise<MutualInformationGap> {
  const where = 'mutualInformationGap';
  const factorCount = checkSource(where, source);
  const points = options.points ?? 10000;
  const bins = options.bins ?? 20;
  const rowsPerCall = options.rowsPerCall ?? 512;
  assertInteger(where, 'points', points);
  assertInteger(where, 'bins', bins);
  assertInteger(where, 'rowsPerCall', rowsPerCall);
  const random = new Random(options.seed ?? 0);
  const factors = sampleFactors(source.factorSizes, points, random);
  const codes = await encodeFactors(where, source, represent, factors, rowsPerCall, {
    options,
    done: 0,
    total: points,
  });
  const dimensions = codes.columns;
  const factorValues = Array.from({ length: factorCount }, (_, k) =>
    Int32Array.from(factors, (row) => row[k]),
  );
  const factorEntropies = Float64Array.from(factorValues, (values) => entropy(values));
  const information = new Float64Array(dimensions * factorCount);
  for (let j = 0; j < dimensions; j++) {
    const discrete = discretize(codes, j, bins);
    for (let k = 0; k < factorCount; k++)
      information[j * factorCount + k] = mutualInformation(discrete, factorValues[k]);
  }
  const gaps = new Float64Array(factorCount);
  let total = 0;
  let counted = 0;
  for (let k = 0; k < factorCount; k++) {
    let top = 0;
    let second = 0;
    for (let j = 0; j < dimensions; j++) {
      const value = information[j * factorCount + k];
      if (value > top) {
        second = top;
        top = value;
      } else if (value > second) {
        second = value;
      }
    }
    if (factorEntropies[k] > 0) {
      gaps[k] = (top - second) / factorEntropies[k];
      total += gaps[k];
      counted += 1;
    } else {
      gaps[k] = Number.NaN;
    }
  }
  if (counted === 0) {
    throw new Error(`${where}: every sampled factor took a single value; MIG needs factors that vary.`);
  }
  return {
    score: total / counted,
    gaps,
    mutualInformation: { values: information, rows: dimensions, columns: factorCount },
    factorEntropies,
  };
}
