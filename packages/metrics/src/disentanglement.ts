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

/** Samples `points` factor rows, encodes them; returns the codes and the factor values as matrices. */
async function sampleCodes(
  where: string,
  source: FactorSource,
  represent: RepresentationFunction,
  points: number,
  options: SizeOptions,
): Promise<{ codes: Matrix; factors: Matrix }> {
  const factorCount = checkSource(where, source);
  const rowsPerCall = options.rowsPerCall ?? 512;
  assertInteger(where, 'points', points, 2);
  assertInteger(where, 'rowsPerCall', rowsPerCall);
  const random = new Random(options.seed ?? 0);
  const rows = sampleFactors(source.factorSizes, points, random);
  const codes = await encodeFactors(where, source, represent, rows, rowsPerCall, {
    options,
    done: 0,
    total: points,
  });
  const values = new Float64Array(points * factorCount);
  rows.forEach((row, i) => {
    values.set(row, i * factorCount);
  });
  return { codes, factors: { values, rows: points, columns: factorCount } };
}

/** Column means and standard deviations (divided by rows) of a matrix. */
function columnMoments(m: Matrix): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(m.columns);
  const std = new Float64Array(m.columns);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.columns; j++) mean[j] += m.values[i * m.columns + j] / m.rows;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.columns; j++) std[j] += (m.values[i * m.columns + j] - mean[j]) ** 2 / m.rows;
  }
  for (let j = 0; j < m.columns; j++) std[j] = Math.sqrt(std[j]);
  return { mean, std };
}

/** Columns scaled to mean 0 and standard deviation 1 with the given moments (constant columns become 0). */
function standardize(m: Matrix, moments: { mean: Float64Array; std: Float64Array }): Float64Array {
  const out = new Float64Array(m.values.length);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.columns; j++) {
      const s = moments.std[j];
      out[i * m.columns + j] = s > 1e-12 ? (m.values[i * m.columns + j] - moments.mean[j]) / s : 0;
    }
  }
  return out;
}

/**
 * Lasso by cyclic coordinate descent: argmin_w 1/(2n) |y - X w|^2 + lambda |w|_1 for standardized columns of X
 * (x [n, d] row-major, each column mean 0 and variance 1 or all 0) and a centred y.
 */
function lasso(
  x: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
  lambda: number,
  sweeps: number,
): Float64Array {
  const w = new Float64Array(d);
  const residual = Float64Array.from(y);
  const norms = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) norms[j] += x[i * d + j] ** 2 / n;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let change = 0;
    for (let j = 0; j < d; j++) {
      if (norms[j] === 0) continue;
      let rho = 0;
      for (let i = 0; i < n; i++) rho += x[i * d + j] * residual[i];
      rho = rho / n + norms[j] * w[j];
      const next = (Math.sign(rho) * Math.max(0, Math.abs(rho) - lambda)) / norms[j];
      const delta = next - w[j];
      if (delta !== 0) {
        for (let i = 0; i < n; i++) residual[i] -= delta * x[i * d + j];
        w[j] = next;
        change = Math.max(change, Math.abs(delta));
      }
    }
    if (change < 1e-7) break;
  }
  return w;
}

/** 1 - entropy of a non-negative vector normalized to a distribution, in base `base` (1 for a one-hot vector). */
function oneMinusEntropy(weights: ArrayLike<number>, base: number): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  if (!(total > 0) || base < 2) return 0;
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    const p = weights[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return 1 - h / Math.log(base);
}

export interface DciOptions extends SizeOptions {
  /** Examples drawn; the first `trainFraction` fit the regressors, the rest measure informativeness. Default 10000. */
  points?: number;
  /** Share of the points used for fitting. Default 0.8. */
  trainFraction?: number;
  /** The lasso's penalty lambda on standardized codes and factors. Default 0.01. */
  lambda?: number;
  /** Most coordinate-descent sweeps per regressor. Default 500. */
  sweeps?: number;
}

export interface DciScores extends DisentanglementScore {
  /** D: importance-weighted mean over code dimensions of 1 - H_K(P_j.), each dimension's importance over factors. */
  disentanglement: number;
  /** C: mean over factors of 1 - H_J(P_.k), each factor's importance over code dimensions. */
  completeness: number;
  /** I: mean over factors of the regressors' held-out R^2 (1 = predicted exactly, 0 = no better than the mean). */
  informativeness: number;
  /** R_jk = |w_jk| of the lasso predicting factor k from the standardized codes, [codeSize, factors]. */
  importance: Matrix;
  /** Held-out R^2 per factor. */
  factorR2: Float64Array;
}

/**
 * DCI (Eastwood and Williams, "A Framework for the Quantitative Evaluation of Disentangled Representations", ICLR
 * 2018) with their lasso regressor: for each factor k, a lasso (penalty `lambda`) predicts the factor's
 * standardized value from the standardized codes; R_jk = |w_jk| is the importance of code j for factor k.
 * Disentanglement D = sum_j rho_j (1 - H_K(P_j.)) with rho_j = sum_k R_jk / sum R; completeness
 * C = mean_k (1 - H_J(P_.k)); informativeness I = mean held-out R^2 (disentanglement_lib uses gradient-boosted trees
 * and their accuracy instead: its numbers are not comparable with these). `score` is D. Factors are their value
 * indices (ordinal); a linear regressor captures a categorical or circular factor only as far as it is ordered.
 */
export async function dciScores(
  source: FactorSource,
  represent: RepresentationFunction,
  options: DciOptions = {},
): Promise<DciScores> {
  const where = 'dciScores';
  const { codes, factors } = await sampleCodes(where, source, represent, options.points ?? 10000, options);
  return dciFromCodes(codes, factors, options);
}

/** `dciScores` on codes [n, J] and factor values [n, K] already at hand (rows in random order). */
export function dciFromCodes(
  codes: Matrix,
  factors: Matrix,
  options: Pick<DciOptions, 'trainFraction' | 'lambda' | 'sweeps'> = {},
): DciScores {
  const where = 'dciFromCodes';
  if (codes.rows !== factors.rows) {
    throw new Error(
      `${where}: ${codes.rows} codes but ${factors.rows} factor rows; pass one row of each per example.`,
    );
  }
  const trainFraction = options.trainFraction ?? 0.8;
  const lambda = options.lambda ?? 0.01;
  const sweeps = options.sweeps ?? 500;
  assertInRange(where, 'trainFraction', trainFraction, 0, 1);
  assertInRange(where, 'lambda', lambda, 0, Number.MAX_VALUE);
  assertInteger(where, 'sweeps', sweeps);
  const n = codes.rows;
  const train = Math.round(n * trainFraction);
  if (train < 2 || n - train < 2) {
    throw new Error(
      `${where}: ${n} rows leave too few for fitting (${train}) or testing (${n - train}); draw more.`,
    );
  }
  const J = codes.columns;
  const K = factors.columns;
  const slice = (m: Matrix, start: number, end: number): Matrix => ({
    values: m.values.subarray(start * m.columns, end * m.columns),
    rows: end - start,
    columns: m.columns,
  });
  const codeMoments = columnMoments(slice(codes, 0, train));
  const factorMoments = columnMoments(slice(factors, 0, train));
  const x = standardize(slice(codes, 0, train), codeMoments);
  const xTest = standardize(slice(codes, train, n), codeMoments);
  const y = standardize(slice(factors, 0, train), factorMoments);
  const yTest = standardize(slice(factors, train, n), factorMoments);
  const importance = new Float64Array(J * K);
  const factorR2 = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const target = Float64Array.from({ length: train }, (_, i) => y[i * K + k]);
    const w = lasso(x, target, train, J, lambda, sweeps);
    for (let j = 0; j < J; j++) importance[j * K + k] = Math.abs(w[j]);
    let error = 0;
    let variance = 0;
    for (let i = 0; i < n - train; i++) {
      let prediction = 0;
      for (let j = 0; j < J; j++) prediction += xTest[i * J + j] * w[j];
      error += (yTest[i * K + k] - prediction) ** 2;
      variance += yTest[i * K + k] ** 2;
    }
    factorR2[k] = variance > 0 ? 1 - error / variance : Number.NaN;
  }
  let total = 0;
  for (const r of importance) total += r;
  let disentanglement = 0;
  for (let j = 0; j < J; j++) {
    const row = importance.subarray(j * K, (j + 1) * K);
    let weight = 0;
    for (const r of row) weight += r;
    if (total > 0) disentanglement += (weight / total) * oneMinusEntropy(row, K);
  }
  let completeness = 0;
  let informativeness = 0;
  let counted = 0;
  for (let k = 0; k < K; k++) {
    if (Number.isNaN(factorR2[k])) continue;
    completeness += oneMinusEntropy(
      Float64Array.from({ length: J }, (_, j) => importance[j * K + k]),
      J,
    );
    informativeness += factorR2[k];
    counted += 1;
  }
  if (counted === 0)
    throw new Error(`${where}: every factor is constant in the held-out rows; draw more points.`);
  return {
    score: disentanglement,
    disentanglement,
    completeness: completeness / counted,
    informativeness: informativeness / counted,
    importance: { values: importance, rows: J, columns: K },
    factorR2,
  };
}

export interface SapOptions extends SizeOptions {
  /** Examples drawn. Default 10000. */
  points?: number;
}

export interface SapScore extends DisentanglementScore {
  /** S_jk: the squared correlation of code j and factor k, [codeSize, factors]. */
  scores: Matrix;
  /** For each factor, the gap between its two largest S_jk; NaN for a constant factor. */
  gaps: Float64Array;
}

/**
 * The separated attribute predictability (Kumar et al. 2018, DIP-VAE's paper), regression form: S_jk is the R^2 of
 * predicting factor k linearly from code dimension j alone, the squared correlation; SAP is the mean over factors of
 * the gap between the two largest S_jk. 1 when each factor is linearly captured by one dimension and no other,
 * near 0 for entangled or uninformative codes. disentanglement_lib scores discrete factors with a linear SVM's
 * accuracy instead; here every factor is taken as ordinal.
 */
export async function sapScore(
  source: FactorSource,
  represent: RepresentationFunction,
  options: SapOptions = {},
): Promise<SapScore> {
  const { codes, factors } = await sampleCodes(
    'sapScore',
    source,
    represent,
    options.points ?? 10000,
    options,
  );
  return sapFromCodes(codes, factors);
}

/** `sapScore` on codes [n, J] and factor values [n, K] already at hand. */
export function sapFromCodes(codes: Matrix, factors: Matrix): SapScore {
  const where = 'sapFromCodes';
  if (codes.rows !== factors.rows) {
    throw new Error(
      `${where}: ${codes.rows} codes but ${factors.rows} factor rows; pass one row of each per example.`,
    );
  }
  const J = codes.columns;
  const K = factors.columns;
  const cm = columnMoments(codes);
  const fm = columnMoments(factors);
  const scores = new Float64Array(J * K);
  for (let j = 0; j < J; j++) {
    for (let k = 0; k < K; k++) {
      if (cm.std[j] === 0 || fm.std[k] === 0) continue;
      let covariance = 0;
      for (let i = 0; i < codes.rows; i++) {
        covariance += (codes.values[i * J + j] - cm.mean[j]) * (factors.values[i * K + k] - fm.mean[k]);
      }
      covariance /= codes.rows;
      scores[j * K + k] = (covariance / (cm.std[j] * fm.std[k])) ** 2;
    }
  }
  const gaps = new Float64Array(K);
  let total = 0;
  let counted = 0;
  for (let k = 0; k < K; k++) {
    if (fm.std[k] === 0) {
      gaps[k] = Number.NaN;
      continue;
    }
    let top = 0;
    let second = 0;
    for (let j = 0; j < J; j++) {
      const s = scores[j * K + k];
      if (s > top) {
        second = top;
        top = s;
      } else if (s > second) second = s;
    }
    gaps[k] = top - second;
    total += gaps[k];
    counted += 1;
  }
  if (counted === 0) throw new Error(`${where}: every factor is constant; SAP needs factors that vary.`);
  return { score: total / counted, scores: { values: scores, rows: J, columns: K }, gaps };
}
