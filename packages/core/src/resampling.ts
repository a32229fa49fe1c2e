/**
 * Density-based resampling of training examples by their latent codes, as in DB-VAE (Amini et al., "Uncovering and
 * Mitigating Algorithmic Bias through Learned Latent Structure", AIES 2019): the latent distribution is estimated
 * with one histogram per dimension, and an example is drawn with probability proportional to
 * prod_d 1 / (Q_d(z_d) + alpha), Q_d the histogram density of dimension d. Examples in sparse regions of the latent
 * space (rare subgroups) are drawn more often; alpha smooths the weights toward uniform (alpha -> infinity is
 * uniform sampling). Works on the codes of any model: pass the latent means as plain numbers. Used by DB-VAE's
 * `debiasingSampler` in @vae/models through `fit`'s `epochSampler`.
 */
import { Random } from './random';

export interface DensityWeightsOptions {
  /** Histogram bins per latent dimension, between the dimension's minimum and maximum. Default 10. */
  bins?: number;
  /**
   * Smoothing alpha >= 0 added to every density (in the density's units: 1 / latent units). Default 1. The product
   * over dimensions compounds small densities: with 10 bins on a 16-dimensional DB-VAE latent, alpha 0.1 or less put
   * over 99 % of the weight on the rare subgroup of `biasedShapes` and cost the common one its accuracy; alpha 1 put
   * about a third there (see the models README).
   */
  alpha?: number;
}

/** One latent dimension's histogram. */
export interface LatentHistogram {
  /** bins + 1 edges, from the dimension's minimum to its maximum. */
  edges: Float64Array;
  /** Density of each bin: count / (examples x bin width); integrates to 1. All 1 for a constant dimension. */
  density: Float64Array;
}

export interface DensityWeights {
  /** Sampling probability of each example, proportional to prod_d 1 / (density_d + alpha); sums to 1. */
  weights: Float64Array;
  /** Sum over dimensions of log(density_d + alpha) per example: the log of the smoothed density estimate. */
  logDensity: Float64Array;
  /** One histogram per latent dimension. */
  histograms: LatentHistogram[];
}

/** Latent codes, one row per example: `{ values, shape: [examples, dimensions] }`, row-major. */
export interface LatentMatrix {
  values: ArrayLike<number>;
  shape: readonly [number, number] | readonly number[];
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/**
 * The debiasing sampling probabilities of examples from their latent means (see the module's description). A
 * dimension whose values are all equal carries no information and has no effect on the weights. With latents
 * from a tensor: `densityWeights({ values: await means.data(), shape: means.shape })`.
 */
export function densityWeights(latents: LatentMatrix, options: DensityWeightsOptions = {}): DensityWeights {
  const where = 'densityWeights';
  const bins = options.bins ?? 10;
  const alpha = options.alpha ?? 1;
  if (!Number.isInteger(bins) || bins < 1 || bins > 100_000) {
    fail(where, `bins must be an integer in [1, 100000], got ${bins}.`);
  }
  if (!(alpha >= 0) || !Number.isFinite(alpha))
    fail(where, `alpha must be a finite number >= 0, got ${alpha}.`);
  const { values, shape } = latents;
  if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    fail(where, `latents.shape must be [examples, dimensions] of positive integers, got [${shape}].`);
  }
  const [n, dimensions] = shape as [number, number];
  if (values.length !== n * dimensions) {
    fail(where, `${values.length} values do not fill shape [${n}, ${dimensions}]; pass one row per example.`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      fail(
        where,
        `latent value ${i} (example ${Math.floor(i / dimensions)}) is ${values[i]}; every value must be finite.`,
      );
    }
  }
  const logDensity = new Float64Array(n);
  const histograms: LatentHistogram[] = [];
  const counts = new Float64Array(bins);
  const binOf = new Int32Array(n);
  for (let d = 0; d < dimensions; d++) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = values[i * dimensions + d];
      if (v < low) low = v;
      if (v > high) high = v;
    }
    const edges = new Float64Array(bins + 1);
    const density = new Float64Array(bins);
    if (!(high > low)) {
      // A constant dimension: one shared factor for every example, which the normalization removes.
      edges.fill(low);
      density.fill(1);
      histograms.push({ edges, density });
      continue;
    }
    const width = (high - low) / bins;
    for (let b = 0; b <= bins; b++) edges[b] = low + b * width;
    edges[bins] = high;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const b = Math.min(bins - 1, Math.floor((values[i * dimensions + d] - low) / width));
      binOf[i] = b;
      counts[b] += 1;
    }
    for (let b = 0; b < bins; b++) density[b] = counts[b] / (n * width);
    for (let i = 0; i < n; i++) logDensity[i] += Math.log(density[binOf[i]] + alpha);
    histograms.push({ edges, density });
  }
  // weights proportional to exp(-logDensity), normalized in log space (products of many small densities underflow)
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logDensity[i] < smallest) smallest = logDensity[i];
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    weights[i] = Math.exp(smallest - logDensity[i]);
    total += weights[i];
  }
  for (let i = 0; i < n; i++) weights[i] /= total;
  return { weights, logDensity, histograms };
}

/**
 * `count` draws with replacement from 0..weights.length-1, index i with probability weights[i] / sum(weights)
 * (inverse transform sampling on the cumulative sums). Weights must be finite, >= 0, and not all 0.
 */
export function weightedSample(
  weights: ArrayLike<number>,
  count: number,
  random: Random | number,
): Int32Array {
  const where = 'weightedSample';
  if (!Number.isInteger(count) || count < 0) fail(where, `count must be an integer >= 0, got ${count}.`);
  if (weights.length < 1) fail(where, 'weights is empty; pass one weight per example.');
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w))
      fail(where, `weights[${i}] is ${w}; weights must be finite and >= 0.`);
    total += w;
    cumulative[i] = total;
  }
  if (!(total > 0)) fail(where, 'every weight is 0; at least one must be positive.');
  const rng = typeof random === 'number' ? new Random(random) : random;
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const u = rng.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] > u) high = middle;
      else low = middle + 1;
    }
    out[k] = low;
  }
  return out;
}
