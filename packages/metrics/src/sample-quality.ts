/**
 * Sample quality of generative models on the features of a small classifier trained here: the Fréchet distance
 * (the formula of Heusel et al.'s FID, 2017) and the kernel distance (KID, Bińkowski et al., "Demystifying MMD GANs",
 * ICLR 2018). These are NOT the Inception FID and KID of the papers: the features come from `trainFeatureClassifier`
 * (an MLP trained on the data set's labels, e.g. MNIST digits), so the numbers rank models on this data set with this
 * classifier and compare with nothing else. Lower is better; 0 for identical feature distributions.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type DataInput,
  Dense,
  FusedAdamOptimizer,
  Random,
  softmaxCrossEntropyWithLogits,
  symmetricEigen,
  toBatchSource,
} from '@vae/core';
import { assertInteger } from './checks';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';

/** Column means and the sample covariance (divided by rows - 1) of a matrix, row-major [d, d]. */
export function meanAndCovariance(m: Matrix): { mean: Float64Array; covariance: Float64Array } {
  const { rows, columns: d, values } = m;
  if (rows < 2) throw new Error(`meanAndCovariance: need at least 2 rows, got ${rows}.`);
  const mean = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j] / rows;
  const covariance = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) centred[j] = values[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = centred[a];
      for (let b = 0; b <= a; b++) covariance[a * d + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      covariance[a * d + b] /= rows - 1;
      covariance[b * d + a] = covariance[a * d + b];
    }
  }
  return { mean, covariance };
}

/** The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues clipped to 0). */
function symmetricSqrt(matrix: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    for (let a = 0; a < d; a++) {
      const va = vectors[k * d + a] * s;
      for (let b = 0; b < d; b++) out[a * d + b] += va * vectors[k * d + b];
    }
  }
  return out;
}

function multiply(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  return out;
}

/**
 * The Fréchet (2-Wasserstein) distance between N(mean1, cov1) and N(mean2, cov2), in closed form:
 * `|mean1 - mean2|^2 + tr(cov1 + cov2 - 2 (cov1^1/2 cov2 cov1^1/2)^1/2)`. Covariances are row-major [d, d],
 * symmetric positive semi-definite. The squared distance, as FID reports it.
 */
export function frechetDistanceGaussians(
  mean1: ArrayLike<number>,
  cov1: ArrayLike<number>,
  mean2: ArrayLike<number>,
  cov2: ArrayLike<number>,
): number {
  const d = mean1.length;
  if (mean2.length !== d || cov1.length !== d * d || cov2.length !== d * d) {
    throw new Error(
      `frechetDistanceGaussians: means of ${d} and ${mean2.length} values and covariances of ${cov1.length} and ` +
        `${cov2.length}; pass two means of d values and two d x d covariances.`,
    );
  }
  let distance = 0;
  for (let j = 0; j < d; j++) distance += (mean1[j] - mean2[j]) ** 2;
  const root1 = symmetricSqrt(Float64Array.from(cov1), d);
  const inner = multiply(multiply(root1, Float64Array.from(cov2), d), root1, d);
  // symmetrize against rounding before the eigendecomposition
  for (let a = 0; a < d; a++)
    for (let b = 0; b < a; b++)
      inner[a * d + b] = inner[b * d + a] = (inner[a * d + b] + inner[b * d + a]) / 2;
  const { values } = symmetricEigen(inner, d);
  let trace = 0;
  for (let j = 0; j < d; j++) trace += cov1[j * d + j] + cov2[j * d + j];
  for (const v of values) trace -= 2 * Math.sqrt(Math.max(v, 0));
  return Math.max(distance + trace, 0);
}

/**
 * The Fréchet distance between two sets of feature vectors [n, d] and [m, d]: each set's mean and sample covariance
 * as a Gaussian (`frechetDistanceGaussians`). Tensors are read, never disposed. Biased upwards for small sets: compare
 * models with the same numbers of samples.
 */
export async function frechetDistance(a: MatrixInput, b: MatrixInput): Promise<number> {
  const where = 'frechetDistance';
  const x = await toMatrix(a, where, 'a');
  const y = await toMatrix(b, where, 'b');
  if (x.columns !== y.columns) {
    throw new Error(
      `${where}: the feature sets have ${x.columns} and ${y.columns} columns; they must agree.`,
    );
  }
  const p = meanAndCovariance(x);
  const q = meanAndCovariance(y);
  return frechetDistanceGaussians(p.mean, p.covariance, q.mean, q.covariance);
}

export interface KernelDistanceOptions {
  /** Random subsets averaged over. Default 10. */
  subsets?: number;
  /** Rows per subset (at most the smaller set's). Default 1000. */
  subsetSize?: number;
  /** Seed of the subset draws. Default 0. */
  seed?: number;
}

export interface KernelDistance {
  /** KID: the mean over subsets of the unbiased MMD^2. */
  mean: number;
  /** Its standard deviation over subsets. */
  std: number;
}

/**
 * KID (Bińkowski et al. 2018): the unbiased MMD^2 between two feature sets under the cubic polynomial kernel
 * `k(x, y) = (x . y / d + 1)^3`, averaged over `subsets` random subsets of `subsetSize` rows of each. Computed in
 * float64 (the estimator subtracts large kernel sums; core's `maximumMeanDiscrepancy` is the float32, differentiable
 * training loss with RBF and IMQ kernels). Unbiased: near 0, possibly slightly negative, for one distribution.
 */
export async function kernelDistance(
  a: MatrixInput,
  b: MatrixInput,
  options: KernelDistanceOptions = {},
): Promise<KernelDistance> {
  const where = 'kernelDistance';
  const x = await toMatrix(a, where, 'a');
  const y = await toMatrix(b, where, 'b');
  if (x.columns !== y.columns) {
    throw new Error(
      `${where}: the feature sets have ${x.columns} and ${y.columns} columns; they must agree.`,
    );
  }
  const subsets = options.subsets ?? 10;
  const size = Math.min(options.subsetSize ?? 1000, x.rows, y.rows);
  assertInteger(where, 'subsets', subsets);
  if (size < 2) throw new Error(`${where}: each set needs at least 2 rows, got ${x.rows} and ${y.rows}.`);
  const d = x.columns;
  const random = new Random(options.seed ?? 0);
  const kernel = (p: Float64Array, i: number, q: Float64Array, j: number) => {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += p[i * d + c] * q[j * d + c];
    return (dot / d + 1) ** 3;
  };
  const estimates: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const px = random.permutation(x.rows).subarray(0, size);
    const py = random.permutation(y.rows).subarray(0, size);
    let kxx = 0;
    let kyy = 0;
    let kxy = 0;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        if (i !== j) {
          kxx += kernel(x.values, px[i], x.values, px[j]);
          kyy += kernel(y.values, py[i], y.values, py[j]);
        }
        kxy += kernel(x.values, px[i], y.values, py[j]);
      }
    }
    estimates.push((kxx + kyy) / (size * (size - 1)) - (2 * kxy) / (size * size));
  }
  const mean = estimates.reduce((t, v) => t + v, 0) / subsets;
  const std = subsets < 2 ? 0 : Math.sqrt(estimates.reduce((t, v) => t + (v - mean) ** 2, 0) / (subsets - 1));
  return { mean, std };
}

export interface FeatureClassifierOptions {
  /** Hidden layer sizes (ReLU); the last one is the feature layer. Default [256, 128]. */
  hidden?: number[];
  /** Passes over the data. Default 3. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Adam's learning rate. Default 1e-3. */
  learningRate?: number;
  /** Seed of the initialization and the shuffling. Default 0. */
  seed?: number;
  /** Number of classes; default 1 + the largest label. */
  classes?: number;
}

/** A trained classifier whose last hidden layer gives the features of `frechetDistance` and `kernelDistance`. */
export interface FeatureClassifier {
  /** Input values per example. */
  readonly inputSize: number;
  readonly featureSize: number;
  readonly classes: number;
  /** The last hidden layer's activations, [batch, featureSize]. */
  features(x: tf.Tensor): tf.Tensor2D;
  /** Class logits, [batch, classes]. */
  logits(x: tf.Tensor): tf.Tensor2D;
  /** Share of `data`'s labels predicted. */
  accuracy(data: DataInput, options?: { labels?: ArrayLike<number> }): Promise<number>;
  dispose(): void;
}

/**
 * Trains an MLP classifier (ReLU layers, softmax cross-entropy, Adam) on labelled images, for sample-quality features:
 * the stand-in for Inception in FID and KID on small data sets (the features of a classifier that knows the classes
 * of the data). Reports nothing itself; check `accuracy` on held-out data before trusting its features.
 */
export async function trainFeatureClassifier(
  data: DataInput,
  options: FeatureClassifierOptions & { labels?: ArrayLike<number> } = {},
): Promise<FeatureClassifier> {
  const where = 'trainFeatureClassifier';
  const source = await toBatchSource(data, { labels: options.labels, caller: where });
  if (!source.labels) {
    throw new Error(`${where}: the data has no labels; pass labelled data (e.g. a data set with classes).`);
  }
  const labels = source.labels;
  const hidden = options.hidden ?? [256, 128];
  if (hidden.length === 0)
    throw new Error(`${where}: hidden must list at least one layer (the feature layer).`);
  for (const h of hidden) assertInteger(where, 'hidden[]', h);
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 128;
  assertInteger(where, 'epochs', epochs);
  assertInteger(where, 'batchSize', batchSize);
  let largest = 0;
  for (let i = 0; i < source.size; i++) largest = Math.max(largest, labels[i]);
  const classes = options.classes ?? largest + 1;
  const inputSize = source.itemShape.reduce((p, s) => p * s, 1);
  const random = new Random(options.seed ?? 0);
  const sizes = [inputSize, ...hidden, classes];
  const layers = sizes.slice(1).map(
    (units, i) =>
      new Dense(sizes[i], units, {
        activation: i < hidden.length ? 'relu' : 'linear',
        name: `feature-classifier/dense${i}`,
        seed: random.nextSeed(),
      }),
  );
  const rows = (x: tf.Tensor) => tf.reshape(x, [x.shape[0], inputSize]) as tf.Tensor2D;
  const run = (x: tf.Tensor, upTo: number) => {
    let h = rows(x);
    for (let i = 0; i < upTo; i++) h = layers[i].apply(h, { inputGradient: i > 0 });
    return h;
  };
  const variables = layers.flatMap((layer) => Object.values(layer.variables));
  const optimizer: tf.Optimizer = new FusedAdamOptimizer(options.learningRate ?? 1e-3, 0.9, 0.999, 1e-8);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = random.permutation(source.size);
      for (let start = 0; start < source.size; start += batchSize) {
        const indices = order.subarray(start, Math.min(source.size, start + batchSize));
        const batchLabels = Int32Array.from(indices, (i) => labels[i]);
        tf.tidy(() => {
          const x = source.batch(indices);
          const { grads, value } = tf.variableGrads(
            () => softmaxCrossEntropyWithLogits(batchLabels, run(x, layers.length)) as tf.Scalar,
            variables,
          );
          optimizer.applyGradients(grads);
          value.dispose();
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
  const check = (x: tf.Tensor) => {
    if (x.shape[0] === undefined || x.size / x.shape[0] !== inputSize) {
      throw new Error(
        `FeatureClassifier: expected inputs of ${inputSize} values each, got shape [${x.shape}].`,
      );
    }
  };
  return {
    inputSize,
    featureSize: hidden[hidden.length - 1],
    classes,
    features: (x) => {
      check(x);
      return tf.tidy(() => run(x, hidden.length));
    },
    logits: (x) => {
      check(x);
      return tf.tidy(() => run(x, layers.length));
    },
    accuracy: async (input, accuracyOptions = {}) => {
      const test = await toBatchSource(input, {
        labels: accuracyOptions.labels,
        caller: 'FeatureClassifier.accuracy',
      });
      if (!test.labels) throw new Error('FeatureClassifier.accuracy: the data has no labels.');
      let correct = 0;
      for (let start = 0; start < test.size; start += 1000) {
        const indices = Int32Array.from(
          { length: Math.min(test.size, start + 1000) - start },
          (_, i) => start + i,
        );
        const predicted = tf.tidy(() => tf.argMax(run(test.batch(indices), layers.length), 1));
        const values = await predicted.data();
        predicted.dispose();
        values.forEach((p, i) => {
          if (p === (test.labels as ArrayLike<number>)[indices[i]]) correct += 1;
        });
      }
      return correct / test.size;
    },
    dispose: () => {
      for (const layer of layers) layer.dispose();
    },
  };
}

export interface SampleQualityOptions extends KernelDistanceOptions {
  /** Examples per forward pass of the classifier. Default 500. */
  batchSize?: number;
}

export interface SampleQuality {
  /** Fréchet distance of the classifier's features (not Inception FID). */
  frechet: number;
  /** KID on the classifier's features (not Inception KID): mean and spread over subsets. */
  kernel: KernelDistance;
  /** Rows of each set. */
  counts: [number, number];
}

/**
 * The Fréchet and kernel distances between the features of `reference` (e.g. test images) and of `generated` (a
 * model's samples or reconstructions), both [n, ...inputShape] tensors, on a `FeatureClassifier`. Tensors are read,
 * never disposed.
 */
export async function sampleQuality(
  classifier: FeatureClassifier,
  reference: tf.Tensor,
  generated: tf.Tensor,
  options: SampleQualityOptions = {},
): Promise<SampleQuality> {
  const batchSize = options.batchSize ?? 500;
  const featuresOf = async (x: tf.Tensor) => {
    const parts: Float32Array[] = [];
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, x.shape[0] - start);
      const f = tf.tidy(() => classifier.features(tf.slice(x, start, size)));
      parts.push((await f.data()) as Float32Array);
      f.dispose();
    }
    const values = new Float64Array(x.shape[0] * classifier.featureSize);
    let offset = 0;
    for (const p of parts) {
      values.set(p, offset);
      offset += p.length;
    }
    return { values, rows: x.shape[0], columns: classifier.featureSize };
  };
  const a = await featuresOf(reference);
  const b = await featuresOf(generated);
  return {
    frechet: await frechetDistance(a, b),
    kernel: await kernelDistance(a, b, options),
    counts: [a.rows, b.rows],
  };
}
