import * as tf from '@tensorflow/tfjs-core';
import { kMeansRun, Random } from '@vae/core';
import { assertInteger, assertSameLength, denseLabels, integerLabels } from './checks';
import { type SoftmaxRegressionOptions, trainSoftmaxRegression } from './classifier';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';

/** Codes with class labels, split into a training and a test set (rows are examples). */
export interface LabelledSplit {
  trainCodes: MatrixInput;
  trainLabels: ArrayLike<number>;
  testCodes: MatrixInput;
  testLabels: ArrayLike<number>;
}

interface CheckedSplit {
  train: Matrix;
  trainLabels: Int32Array;
  test: Matrix;
  testLabels: Int32Array;
}

async function checkSplit(where: string, split: LabelledSplit): Promise<CheckedSplit> {
  const train = await toMatrix(split.trainCodes, where, 'trainCodes');
  const test = await toMatrix(split.testCodes, where, 'testCodes');
  assertSameLength(where, 'trainCodes and trainLabels', train.rows, split.trainLabels.length);
  assertSameLength(where, 'testCodes and testLabels', test.rows, split.testLabels.length);
  if (train.rows < 1 || test.rows < 1)
    throw new Error(`${where}: the training and test sets must not be empty.`);
  if (train.columns !== test.columns) {
    throw new Error(
      `${where}: training codes have ${train.columns} values per row but test codes ${test.columns}.`,
    );
  }
  return {
    train,
    test,
    trainLabels: integerLabels(where, 'trainLabels', split.trainLabels),
    testLabels: integerLabels(where, 'testLabels', split.testLabels),
  };
}

function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct += 1;
  return correct / labels.length;
}

export interface NearestNeighbourOptions {
  /** Neighbours that vote. Default 5. */
  k?: number;
}

export interface NearestNeighbourAccuracy {
  /** Fraction of test codes whose predicted label is right. */
  accuracy: number;
  /** The predicted label of each test code. */
  predictions: Int32Array;
}

/**
 * k-nearest-neighbour classification accuracy of codes: each test code takes the majority label of its k nearest
 * training codes (Euclidean distance; a tie between labels goes to the label of the nearest tied neighbour).
 * Distances are computed on the active backend in float32, in chunks of test rows.
 */
export async function nearestNeighbourAccuracy(
  split: LabelledSplit,
  options: NearestNeighbourOptions = {},
): Promise<NearestNeighbourAccuracy> {
  const where = 'nearestNeighbourAccuracy';
  const k = options.k ?? 5;
  assertInteger(where, 'k', k);
  const { train, trainLabels, test, testLabels } = await checkSplit(where, split);
  if (k > train.rows) throw new Error(`${where}: k (${k}) exceeds the ${train.rows} training codes.`);
  const predictions = new Int32Array(test.rows);
  const chunk = Math.max(1, Math.min(test.rows, Math.floor(2 ** 22 / train.rows)));
  const [trainTensor, trainNorms] = tf.tidy(() => {
    const t = tf.tensor2d(Float32Array.from(train.values), [train.rows, train.columns]);
    return [t, tf.sum(tf.square(t), 1)];
  });
  try {
    const votes = new Map<number, number>();
    for (let start = 0; start < test.rows; start += chunk) {
      const end = Math.min(test.rows, start + chunk);
      const indices = tf.tidy(() => {
        const query = tf.tensor2d(
          Float32Array.from(test.values.subarray(start * test.columns, end * test.columns)),
          [end - start, test.columns],
        );
        const queryNorms = tf.sum(tf.square(query), 1, true);
        const distances = tf.add(
          tf.sub(queryNorms, tf.mul(2, tf.matMul(query, trainTensor, false, true))),
          trainNorms,
        );
        return tf.topk(tf.neg(distances), k).indices;
      });
      const neighbours = await indices.data();
      indices.dispose();
      for (let i = 0; i < end - start; i++) {
        votes.clear();
        let most = 0;
        for (let n = 0; n < k; n++) {
          const label = trainLabels[neighbours[i * k + n]];
          const count = (votes.get(label) ?? 0) + 1;
          votes.set(label, count);
          most = Math.max(most, count);
        }
        for (let n = 0; n < k; n++) {
          const label = trainLabels[neighbours[i * k + n]];
          if (votes.get(label) === most) {
            predictions[start + i] = label;
            break;
          }
        }
      }
    }
  } finally {
    tf.dispose([trainTensor, trainNorms]);
  }
  return { accuracy: accuracy(predictions, testLabels), predictions };
}

export interface LinearProbeAccuracy {
  /** Accuracy on the training codes. */
  trainAccuracy: number;
  /** Accuracy on the test codes. */
  testAccuracy: number;
  /** The predicted label of each test code. */
  predictions: Int32Array;
}

/**
 * Linear-probe accuracy: a multinomial logistic regression trained on the (standardized) training codes by
 * mini-batch gradient descent with Adam steps (20 epochs, batches of 128, step 0.01, L2 1e-4 by default; seeded),
 * evaluated on the test codes. Runs in float64 JavaScript, in time proportional to epochs x codes x code size x classes.
 */
export async function linearProbeAccuracy(
  split: LabelledSplit,
  options: SoftmaxRegressionOptions = {},
): Promise<LinearProbeAccuracy> {
  const where = 'linearProbeAccuracy';
  const { train, trainLabels, test, testLabels } = await checkSplit(where, split);
  const classes = denseLabels(trainLabels);
  const model = trainSoftmaxRegression(train, classes.indices, classes.values.length, options, where);
  const toLabels = (indices: Int32Array) => indices.map((index) => classes.values[index]);
  const predictions = toLabels(model.predict(test));
  return {
    trainAccuracy: accuracy(toLabels(model.predict(train)), trainLabels),
    testAccuracy: accuracy(predictions, testLabels),
    predictions,
  };
}

export interface KMeansOptions {
  /** Seed for the k-means++ initialization. Default 0. */
  seed?: number;
  /** Most Lloyd iterations per run. Default 300. */
  maxIterations?: number;
  /** Independent k-means++ runs; the one with the lowest inertia is kept. Default 1. */
  restarts?: number;
}

export interface KMeansResult {
  /** The cluster (0..clusters-1) of each point. */
  assignments: Int32Array;
  /** The cluster centres, [clusters, columns]. */
  centroids: Matrix;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
}

/**
 * k-means clustering (Lloyd's algorithm) with k-means++ initialization, seeded; float64 JavaScript. Stops when no
 * assignment changes or after `maxIterations`; an empty cluster takes the point farthest from its centre.
 */
export async function kMeans(
  points: MatrixInput,
  clusters: number,
  options: KMeansOptions = {},
): Promise<KMeansResult> {
  const where = 'kMeans';
  const maxIterations = options.maxIterations ?? 300;
  const restarts = options.restarts ?? 1;
  assertInteger(where, 'clusters (k)', clusters);
  assertInteger(where, 'maxIterations', maxIterations);
  assertInteger(where, 'restarts', restarts);
  const matrix = await toMatrix(points, where, 'points');
  if (clusters > matrix.rows)
    throw new Error(`${where}: clusters (${clusters}) exceeds the ${matrix.rows} points.`);
  const random = new Random(options.seed ?? 0);
  let best: KMeansResult | undefined;
  for (let run = 0; run < restarts; run++) {
    const result = kMeansRun(matrix, clusters, maxIterations, random);
    if (best === undefined || result.inertia < best.inertia) best = result;
  }
  return best!;
}

/** Counts of each (a, b) label pair, with the dense row (a) and column (b) totals. */
function contingency(where: string, a: ArrayLike<number>, b: ArrayLike<number>) {
  assertSameLength(where, 'the two labelings', a.length, b.length);
  if (a.length === 0) throw new Error(`${where}: the labelings are empty.`);
  const first = denseLabels(integerLabels(where, 'labels', a));
  const second = denseLabels(integerLabels(where, 'labels', b));
  const rows = first.values.length;
  const columns = second.values.length;
  const table = new Float64Array(rows * columns);
  for (let i = 0; i < a.length; i++) table[first.indices[i] * columns + second.indices[i]] += 1;
  const rowSums = new Float64Array(rows);
  const columnSums = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      rowSums[r] += table[r * columns + c];
      columnSums[c] += table[r * columns + c];
    }
  }
  return { table, rowSums, columnSums, total: a.length };
}

function entropyOf(counts: Float64Array, total: number): number {
  let h = 0;
  for (const count of counts) if (count > 0) h -= (count / total) * Math.log(count / total);
  return h;
}

/** Entropy of a discrete labeling, nats (as mutual information of the labeling with itself). */
export function entropy(labels: ArrayLike<number>): number {
  const { rowSums, total } = contingency('entropy', labels, labels);
  return entropyOf(rowSums, total);
}

/** Mutual information between two discrete labelings of the same examples, nats (plug-in estimate). */
export function mutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { table, rowSums, columnSums, total } = contingency('mutualInformation', a, b);
  let information = 0;
  const columns = columnSums.length;
  for (let r = 0; r < rowSums.length; r++) {
    for (let c = 0; c < columns; c++) {
      const count = table[r * columns + c];
      if (count > 0)
        information += (count / total) * Math.log((count * total) / (rowSums[r] * columnSums[c]));
    }
  }
  return Math.max(0, information);
}

/**
 * Normalized mutual information between two labelings, I(a; b) / ((H(a) + H(b)) / 2) (the arithmetic-mean
 * normalization, scikit-learn's default): 1 for identical partitions, 0 for independent ones. Two single-cluster
 * labelings count as identical (1).
 */
export function normalizedMutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const where = 'normalizedMutualInformation';
  const { rowSums, columnSums, total } = contingency(where, a, b);
  if (rowSums.length === 1 && columnSums.length === 1) return 1;
  const information = mutualInformation(a, b);
  if (information === 0) return 0;
  const normalizer = (entropyOf(rowSums, total) + entropyOf(columnSums, total)) / 2;
  return Math.min(1, information / normalizer);
}

/**
 * Adjusted Rand index (Hubert and Arabie 1985) between two labelings: pair-counting agreement corrected for
 * chance, 1 for identical partitions, about 0 for random ones, negative below chance.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { table, rowSums, columnSums, total } = contingency('adjustedRandIndex', a, b);
  const pairs = (n: number) => (n * (n - 1)) / 2;
  let index = 0;
  for (const count of table) index += pairs(count);
  let rowPairs = 0;
  for (const count of rowSums) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of columnSums) columnPairs += pairs(count);
  const expected = total > 1 ? (rowPairs * columnPairs) / pairs(total) : 0;
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

export interface ClusteringAgreementOptions extends KMeansOptions {
  /** Number of clusters. Default: the number of distinct labels. */
  clusters?: number;
}

export interface ClusteringAgreement {
  adjustedRandIndex: number;
  normalizedMutualInformation: number;
  /** The k-means result the scores are computed from. */
  clustering: KMeansResult;
}

/**
 * How well k-means clusters of the codes agree with the class labels: adjusted Rand index and normalized mutual
 * information between the cluster assignments and the labels.
 */
export async function clusteringAgreement(
  codes: MatrixInput,
  labels: ArrayLike<number>,
  options: ClusteringAgreementOptions = {},
): Promise<ClusteringAgreement> {
  const where = 'clusteringAgreement';
  const matrix = await toMatrix(codes, where, 'codes');
  assertSameLength(where, 'codes and labels', matrix.rows, labels.length);
  const checked = integerLabels(where, 'labels', labels);
  const clusters = options.clusters ?? new Set(checked).size;
  const clustering = await kMeans(matrix, clusters, options);
  return {
    adjustedRandIndex: adjustedRandIndex(clustering.assignments, checked),
    normalizedMutualInformation: normalizedMutualInformation(clustering.assignments, checked),
    clustering,
  };
}
