/**
 * Clustering and density estimation on points held as plain numbers (float64, row-major), for every package that
 * needs it: k-means with k-means++ seeding (`kMeans`; `@vae/metrics`' clustering scores use it) and Gaussian
 * mixtures fitted by expectation-maximization (`GaussianMixture.fit`; the post-hoc samplers of `@vae/models` fit
 * one on a trained model's codes). Seeded: the same seed gives the same result.
 */
import { cholesky } from './linear-algebra';
import { Random } from './random';

/** A dense row-major matrix of plain numbers: `values[row * columns + column]`. */
export interface DenseMatrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

export interface KMeansRunResult {
  /** The cluster (0..clusters-1) of each point. */
  assignments: Int32Array;
  /** The cluster centres, [clusters, columns]. */
  centroids: DenseMatrix;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
}

function squaredDistance(
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  n: number,
): number {
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const d = a[aOffset + j] - b[bOffset + j];
    sum += d * d;
  }
  return sum;
}

/** k-means++ seeding: the first centre uniformly, each next one with probability proportional to D(x)^2. */
function kMeansPlusPlus(points: DenseMatrix, clusters: number, random: Random): Float64Array {
  const { rows, columns, values } = points;
  const centres = new Float64Array(clusters * columns);
  const nearest = new Float64Array(rows).fill(Number.POSITIVE_INFINITY);
  let chosen = random.nextInt(rows);
  for (let c = 0; c < clusters; c++) {
    centres.set(values.subarray(chosen * columns, (chosen + 1) * columns), c * columns);
    if (c === clusters - 1) break;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(values, i * columns, centres, c * columns, columns));
      total += nearest[i];
    }
    if (total === 0) {
      chosen = random.nextInt(rows);
      continue;
    }
    let target = random.next() * total;
    chosen = rows - 1;
    for (let i = 0; i < rows; i++) {
      target -= nearest[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  return centres;
}

/**
 * One k-means run (Lloyd's algorithm from k-means++ seeds drawn with `random`), float64. Stops when no assignment
 * changes or after `maxIterations`; an empty cluster takes the point farthest from its centre. Inputs are not
 * checked here: `kMeans` of `@vae/metrics` and `GaussianMixture.fit` check them.
 */
export function kMeansRun(
  points: DenseMatrix,
  clusters: number,
  maxIterations: number,
  random: Random,
): KMeansRunResult {
  const { rows, columns, values } = points;
  const centres = kMeansPlusPlus(points, clusters, random);
  const assignments = new Int32Array(rows).fill(-1);
  const distances = new Float64Array(rows);
  const counts = new Int32Array(clusters);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < clusters; c++) {
        const d = squaredDistance(values, i * columns, centres, c * columns, columns);
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      if (assignments[i] !== best) changed = true;
      assignments[i] = best;
      distances[i] = bestDistance;
    }
    if (!changed) break;
    counts.fill(0);
    for (let i = 0; i < rows; i++) counts[assignments[i]] += 1;
    for (let c = 0; c < clusters; c++) {
      if (counts[c] > 0) continue;
      let farthest = 0;
      for (let i = 1; i < rows; i++) if (distances[i] > distances[farthest]) farthest = i;
      counts[assignments[farthest]] -= 1;
      assignments[farthest] = c;
      distances[farthest] = 0;
      counts[c] = 1;
    }
    centres.fill(0);
    for (let i = 0; i < rows; i++) {
      const c = assignments[i];
      for (let j = 0; j < columns; j++) centres[c * columns + j] += values[i * columns + j] / counts[c];
    }
  }
  let inertia = 0;
  for (let i = 0; i < rows; i++) {
    inertia += squaredDistance(values, i * columns, centres, assignments[i] * columns, columns);
  }
  return { assignments, centroids: { values: centres, rows: clusters, columns }, inertia, iterations };
}

/** Covariance structure of each mixture component. */
export type CovarianceKind = 'diagonal' | 'full';

/** A Gaussian mixture as plain JSON (`GaussianMixture.toJSON`). */
export interface GaussianMixtureJSON {
  covariance: CovarianceKind;
  /** Mixture weights, [components], summing to 1. */
  weights: number[];
  /** Component means, [components][dimension]. */
  means: number[][];
  /** Variances [components][dimension] ('diagonal') or covariance matrices [components][dimension * dimension]. */
  covariances: number[][];
}

export interface GaussianMixtureFitOptions {
  /** 'diagonal' (default) or 'full' covariance matrices. */
  covariance?: CovarianceKind;
  /** Seed of the k-means++ seeding. Default 0. */
  seed?: number;
  /** Most EM iterations per run. Default 200. */
  maxIterations?: number;
  /** EM stops when the mean log-likelihood per point rises by less than this (nats). Default 1e-6. */
  tolerance?: number;
  /** Added to every variance (the diagonal of full covariances) so no component collapses. Default 1e-6. */
  regularization?: number;
  /** Independent runs (k-means++ seeds); the one with the highest log-likelihood is kept. Default 1. */
  restarts?: number;
}

/** What `GaussianMixture.fit` reports about the fit besides the mixture. */
export interface GaussianMixtureFitReport {
  /** Mean log-likelihood per point of the training points under the fitted mixture, nats. */
  logLikelihood: number;
  /** EM iterations of the kept run. */
  iterations: number;
  /** Whether the kept run stopped on `tolerance` (not on `maxIterations`). */
  converged: boolean;
}

const LOG_TWO_PI = Math.log(2 * Math.PI);

function checkPoints(where: string, points: DenseMatrix): void {
  const { values, rows, columns } = points;
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 1 || columns < 1) {
    throw new Error(`${where}: points must have at least one row and one column, got [${rows}, ${columns}].`);
  }
  if (values.length !== rows * columns) {
    throw new Error(
      `${where}: points have ${values.length} values, expected rows x columns = ${rows * columns}.`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(
        `${where}: point ${Math.floor(i / columns)} has a non-finite value (${values[i]}); remove or fix it.`,
      );
    }
  }
}

/**
 * A mixture of K Gaussians in d dimensions, p(x) = sum_k w_k N(x; mu_k, Sigma_k), with diagonal or full
 * covariances: fitted by EM (`GaussianMixture.fit`), evaluated (`logDensity`), sampled (`sample`) and saved as JSON.
 * Plain float64 JavaScript: meant for codes of a few to a few dozen dimensions and up to some 10^5 points.
 */
export class GaussianMixture {
  readonly covariance: CovarianceKind;
  readonly components: number;
  readonly dimension: number;
  /** [components]. */
  readonly weights: Float64Array;
  /** [components * dimension]. */
  readonly means: Float64Array;
  /** [components * dimension] variances ('diagonal') or [components * dimension * dimension] matrices ('full'). */
  readonly covariances: Float64Array;
  /** Per component: the Cholesky factor L (full) or the standard deviations (diagonal), and log det Sigma. */
  private readonly factors: Float64Array[];
  private readonly logDeterminants: Float64Array;

  constructor(parameters: {
    covariance: CovarianceKind;
    weights: ArrayLike<number>;
    means: ArrayLike<number>;
    covariances: ArrayLike<number>;
    dimension: number;
  }) {
    const where = 'GaussianMixture';
    const { covariance, dimension: d } = parameters;
    if (covariance !== 'diagonal' && covariance !== 'full') {
      throw new Error(`${where}: covariance '${covariance}' is not supported; use 'diagonal' or 'full'.`);
    }
    if (!Number.isInteger(d) || d < 1)
      throw new Error(`${where}: dimension must be a positive integer, got ${d}.`);
    const k = parameters.weights.length;
    if (k < 1) throw new Error(`${where}: a mixture needs at least one component.`);
    const perComponent = covariance === 'full' ? d * d : d;
    if (parameters.means.length !== k * d || parameters.covariances.length !== k * perComponent) {
      throw new Error(
        `${where}: ${k} components in ${d} dimensions need ${k * d} mean values and ${k * perComponent} ` +
          `covariance values, got ${parameters.means.length} and ${parameters.covariances.length}.`,
      );
    }
    let total = 0;
    for (let c = 0; c < k; c++) {
      const w = parameters.weights[c];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`${where}: weight ${c} must be >= 0, got ${w}.`);
      total += w;
    }
    if (Math.abs(total - 1) > 1e-6) throw new Error(`${where}: the weights must sum to 1, got ${total}.`);
    this.covariance = covariance;
    this.components = k;
    this.dimension = d;
    this.weights = Float64Array.from(parameters.weights);
    this.means = Float64Array.from(parameters.means);
    this.covariances = Float64Array.from(parameters.covariances);
    if (!this.means.every(Number.isFinite) || !this.covariances.every(Number.isFinite)) {
      throw new Error(`${where}: means and covariances must be finite.`);
    }
    this.factors = [];
    this.logDeterminants = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const block = this.covariances.subarray(c * perComponent, (c + 1) * perComponent);
      if (covariance === 'diagonal') {
        if (!block.every((v) => v > 0)) throw new Error(`${where}: component ${c} has a variance <= 0.`);
        this.factors.push(block.map(Math.sqrt));
        this.logDeterminants[c] = block.reduce((s, v) => s + Math.log(v), 0);
      } else {
        let factor: Float64Array;
        try {
          factor = cholesky(block, d);
        } catch {
          throw new Error(`${where}: the covariance of component ${c} is not positive definite.`);
        }
        this.factors.push(factor);
        let logDet = 0;
        for (let i = 0; i < d; i++) logDet += 2 * Math.log(factor[i * d + i]);
        this.logDeterminants[c] = logDet;
      }
    }
  }

  /** log N(x_i; mu_c, Sigma_c) for every point i and component c: [rows * components]. */
  private componentLogDensities(points: DenseMatrix): Float64Array {
    const { rows, values } = points;
    const d = this.dimension;
    const k = this.components;
    const out = new Float64Array(rows * k);
    const residual = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      const factor = this.factors[c];
      const constant = -0.5 * (d * LOG_TWO_PI + this.logDeterminants[c]);
      for (let i = 0; i < rows; i++) {
        let quadratic = 0;
        if (this.covariance === 'diagonal') {
          for (let j = 0; j < d; j++) {
            const r = (values[i * d + j] - this.means[c * d + j]) / factor[j];
            quadratic += r * r;
          }
        } else {
          // Solve L y = x - mu by forward substitution; the quadratic form is |y|^2.
          for (let j = 0; j < d; j++) {
            let s = values[i * d + j] - this.means[c * d + j];
            for (let m = 0; m < j; m++) s -= factor[j * d + m] * residual[m];
            residual[j] = s / factor[j * d + j];
            quadratic += residual[j] * residual[j];
          }
        }
        out[i * k + c] = constant - 0.5 * quadratic;
      }
    }
    return out;
  }

  /** log p(x) of each point (rows of `points`, `dimension` columns), nats. */
  logDensity(points: DenseMatrix): Float64Array {
    checkPoints('GaussianMixture.logDensity', points);
    if (points.columns !== this.dimension) {
      throw new Error(
        `GaussianMixture.logDensity: points have ${points.columns} columns, the mixture ${this.dimension} dimensions.`,
      );
    }
    return this.responsibilities(points).logDensity;
  }

  /** Posterior component probabilities [rows * components] and log p(x) per point. */
  private responsibilities(points: DenseMatrix): { resp: Float64Array; logDensity: Float64Array } {
    const k = this.components;
    const resp = this.componentLogDensities(points);
    const logDensity = new Float64Array(points.rows);
    const logWeights = this.weights.map(Math.log);
    for (let i = 0; i < points.rows; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        resp[i * k + c] += logWeights[c];
        if (resp[i * k + c] > max) max = resp[i * k + c];
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(resp[i * k + c] - max);
      const log = max + Math.log(sum);
      logDensity[i] = log;
      for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(resp[i * k + c] - log);
    }
    return { resp, logDensity };
  }

  /**
   * `count` draws, [count * dimension] row-major, with the component of each. `temperature` scales every
   * component's spread (1: the mixture itself).
   */
  sample(
    count: number,
    options: { seed?: number; temperature?: number } = {},
  ): { values: Float64Array; components: Int32Array } {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`GaussianMixture.sample: count must be a positive integer, got ${count}.`);
    }
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0))
      throw new Error(`GaussianMixture.sample: temperature must be > 0, got ${temperature}.`);
    const random = new Random(options.seed ?? 0);
    const d = this.dimension;
    const values = new Float64Array(count * d);
    const components = new Int32Array(count);
    const noise = new Float64Array(d);
    for (let i = 0; i < count; i++) {
      let u = random.next();
      let c = this.components - 1;
      for (let m = 0; m < this.components; m++) {
        u -= this.weights[m];
        if (u < 0) {
          c = m;
          break;
        }
      }
      components[i] = c;
      for (let j = 0; j < d; j++) noise[j] = temperature * standardNormal(random);
      const factor = this.factors[c];
      for (let j = 0; j < d; j++) {
        let offset = 0;
        if (this.covariance === 'diagonal') offset = factor[j] * noise[j];
        else for (let m = 0; m <= j; m++) offset += factor[j * d + m] * noise[m];
        values[i * d + j] = this.means[c * d + j] + offset;
      }
    }
    return { values, components };
  }

  toJSON(): GaussianMixtureJSON {
    const d = this.dimension;
    const per = this.covariance === 'full' ? d * d : d;
    return {
      covariance: this.covariance,
      weights: Array.from(this.weights),
      means: Array.from({ length: this.components }, (_, c) =>
        Array.from(this.means.subarray(c * d, (c + 1) * d)),
      ),
      covariances: Array.from({ length: this.components }, (_, c) =>
        Array.from(this.covariances.subarray(c * per, (c + 1) * per)),
      ),
    };
  }

  /** A mixture from `toJSON`'s output (checked: shapes, weights, positive definite covariances). */
  static fromJSON(json: GaussianMixtureJSON): GaussianMixture {
    if (
      !json ||
      !Array.isArray(json.means) ||
      !Array.isArray(json.covariances) ||
      !Array.isArray(json.weights)
    ) {
      throw new Error('GaussianMixture.fromJSON: expected { covariance, weights, means, covariances }.');
    }
    const dimension = json.means[0]?.length ?? 0;
    return new GaussianMixture({
      covariance: json.covariance,
      dimension,
      weights: json.weights,
      means: json.means.flat(),
      covariances: json.covariances.flat(),
    });
  }

  /**
   * Fits a mixture of `components` Gaussians to the rows of `points` by expectation-maximization, started from
   * k-means (seeded with k-means++), keeping the best of `restarts` runs. See `GaussianMixtureFitOptions`.
   */
  static fit(
    points: DenseMatrix,
    components: number,
    options: GaussianMixtureFitOptions = {},
  ): { mixture: GaussianMixture } & GaussianMixtureFitReport {
    const where = 'GaussianMixture.fit';
    checkPoints(where, points);
    const covariance = options.covariance ?? 'diagonal';
    if (covariance !== 'diagonal' && covariance !== 'full') {
      throw new Error(`${where}: covariance '${covariance}' is not supported; use 'diagonal' or 'full'.`);
    }
    if (!Number.isInteger(components) || components < 1 || components > points.rows) {
      throw new Error(
        `${where}: components must be an integer from 1 to the number of points (${points.rows}), got ${components}.`,
      );
    }
    const maxIterations = options.maxIterations ?? 200;
    const restarts = options.restarts ?? 1;
    const tolerance = options.tolerance ?? 1e-6;
    const regularization = options.regularization ?? 1e-6;
    for (const [name, value] of [
      ['maxIterations', maxIterations],
      ['restarts', restarts],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${where}: ${name} must be a positive integer, got ${value}.`);
      }
    }
    if (!(tolerance >= 0)) throw new Error(`${where}: tolerance must be >= 0, got ${tolerance}.`);
    if (!(regularization > 0))
      throw new Error(`${where}: regularization must be > 0, got ${regularization}.`);
    const random = new Random(options.seed ?? 0);
    let best: ({ mixture: GaussianMixture } & GaussianMixtureFitReport) | undefined;
    for (let run = 0; run < restarts; run++) {
      const start = kMeansRun(points, components, 100, random);
      const resp = new Float64Array(points.rows * components);
      for (let i = 0; i < points.rows; i++) resp[i * components + start.assignments[i]] = 1;
      let mixture = maximization(points, resp, components, covariance, regularization);
      let previous = Number.NEGATIVE_INFINITY;
      let logLikelihood = Number.NEGATIVE_INFINITY;
      let iterations = 0;
      let converged = false;
      while (iterations < maxIterations) {
        const expectation = mixture.responsibilities(points);
        logLikelihood = expectation.logDensity.reduce((s, v) => s + v, 0) / points.rows;
        if (logLikelihood - previous < tolerance) {
          converged = true;
          break;
        }
        previous = logLikelihood;
        mixture = maximization(points, expectation.resp, components, covariance, regularization);
        iterations += 1;
      }
      if (!converged) {
        const final = mixture.responsibilities(points).logDensity;
        logLikelihood = final.reduce((s, v) => s + v, 0) / points.rows;
      }
      if (best === undefined || logLikelihood > best.logLikelihood) {
        best = { mixture, logLikelihood, iterations, converged };
      }
    }
    return best!;
  }
}

/** The M step: weights, means and covariances from responsibilities [rows * components]. */
function maximization(
  points: DenseMatrix,
  resp: Float64Array,
  k: number,
  covariance: CovarianceKind,
  regularization: number,
): GaussianMixture {
  const { rows, columns: d, values } = points;
  const tiny = 1e-12;
  const counts = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      counts[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * values[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= counts[c] + tiny;
  const per = covariance === 'full' ? d * d : d;
  const covariances = new Float64Array(k * per);
  const residual = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) residual[j] = values[i * d + j] - means[c * d + j];
      if (covariance === 'diagonal') {
        for (let j = 0; j < d; j++) covariances[c * d + j] += r * residual[j] * residual[j];
      } else {
        for (let a = 0; a < d; a++) {
          for (let b = 0; b <= a; b++) covariances[c * per + a * d + b] += r * residual[a] * residual[b];
        }
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const scale = 1 / (counts[c] + tiny);
    if (covariance === 'diagonal') {
      for (let j = 0; j < d; j++) covariances[c * d + j] = covariances[c * d + j] * scale + regularization;
    } else {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = covariances[c * per + a * d + b] * scale + (a === b ? regularization : 0);
          covariances[c * per + a * d + b] = v;
          covariances[c * per + b * d + a] = v;
        }
      }
    }
  }
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = counts[c] / rows;
  return new GaussianMixture({ covariance, dimension: d, weights, means, covariances });
}

/** A standard normal draw (Box-Muller) from a seeded stream. */
function standardNormal(random: Random): number {
  let u = random.next();
  while (u === 0) u = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}
