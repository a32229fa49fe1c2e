/**
 * Pretraining with few labels, as the lecture notes put it ("pretraining of deep neural networks", "leverage the
 * availability of unlabeled data"; Erhan et al., "Why does unsupervised pre-training help deep learning?", JMLR
 * 2010): train an autoencoder or VAE on every example without labels (`pretrain`), then a classifier on n labels,
 * either as a linear probe on the frozen codes (`probe`) or by fine-tuning a copy of the encoder with a classifier
 * head (`fineTune`), against the same architecture trained from scratch on the same labels (`trainFromScratch`).
 * `compareLabelBudgets` runs all three over label budgets and seeds, on seeded label subsets balanced per class.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, type DataInput, type Progress, toBatchSource } from '@vae/core';
import { setWeights } from '../io';
import { type AnyModel, MODEL_REGISTRY, type ModelClassName } from '../registry';
import type { FitOptions } from '../training/fit';
import { type CodeEncoder, LabelClassifier } from './classifier';
import { balancedLabelSubset, checkedLabels, classCount, subsetSource } from './labels';

/** How a classifier is trained on its labels. */
export interface ClassifierTrainingOptions {
  /** Optimizer steps in all (epochs = steps / batches per epoch, at least 1). Default 500. */
  steps?: number;
  /** Examples per step. Default 64. */
  batchSize?: number;
  /** Adam's learning rate. Default 1e-2 for a probe, 1e-3 for fine-tuning and from scratch. */
  learningRate?: number;
  /**
   * Fine-tuning and from scratch: steps that train the head alone first (at 1e-2, encoder frozen), before `steps`
   * of training everything ("LP-FT", Kumar et al., ICLR 2022: a random head's first gradients distort pretrained
   * features; on a toy set of 8 labels, fine-tuning without it stalled at 75 % training accuracy). Default 200;
   * 0 turns it off.
   */
  headSteps?: number;
  /** Seed of the head's weights, of shuffling and of a scratch model's weights. Default 0. */
  seed?: number;
  /** Hidden layers of the head (ReLU) before its linear output; default [] (linear). */
  hiddenUnits?: number[];
  /** Number of classes; default the largest training label + 1. */
  numClasses?: number;
  /** More `fit` options (callbacks, signal, gradient clipping, ...). */
  fit?: FitOptions;
}

/** Trains a model of the registry, by class name, on unlabelled data (labels, if any, are not used). */
export async function pretrain(
  className: ModelClassName,
  data: DataInput,
  options: { config?: Record<string, unknown>; fit?: FitOptions } = {},
): Promise<AnyModel> {
  const Class = MODEL_REGISTRY[className] as unknown as new (config: object) => AnyModel;
  if (!Class) {
    throw new Error(
      `pretrain: unknown model '${className}'; use one of ${Object.keys(MODEL_REGISTRY).join(', ')}.`,
    );
  }
  const model = new Class(options.config ?? {});
  if (model.usesLabels) {
    model.dispose();
    throw new Error(`pretrain: a ${className} needs labels; pretrain a model that encodes x alone.`);
  }
  try {
    const source = await toBatchSource(data, { caller: 'pretrain' });
    const unlabelled: BatchSource = {
      size: source.size,
      itemShape: source.itemShape,
      batch: (indices) => source.batch(indices),
    };
    await model.fit(unlabelled, options.fit);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** A new model of the same class and config as `model`, holding a copy of its weights (or fresh ones). */
export function copyModel<M extends CodeEncoder>(
  model: M,
  options: { weights?: boolean; seed?: number } = {},
): M {
  const Class = model.constructor as new (config: object) => M;
  const config = options.seed === undefined ? model.config : { ...model.config, seed: options.seed };
  const copy = new Class(config);
  if (options.weights ?? true) {
    setWeights(copy as unknown as Parameters<typeof setWeights>[0], model.variables as tf.NamedTensorMap);
  }
  return copy;
}

async function trainClassifier(
  classifier: LabelClassifier,
  data: BatchSource,
  options: ClassifierTrainingOptions,
  defaultRate: number,
): Promise<LabelClassifier> {
  const batchSize = Math.min(options.batchSize ?? 64, data.size);
  const batches = Math.ceil(data.size / batchSize);
  const steps = options.steps ?? 500;
  const headSteps = classifier.config.trainEncoder ? (options.headSteps ?? 200) : 0;
  try {
    for (const [name, value] of [
      ['steps', steps],
      ['headSteps', headSteps + 1],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`classifier training: ${name} must be a positive integer, got ${value}.`);
      }
    }
    const run = (count: number, learningRate: number, seed: number) =>
      classifier.fit(data, {
        epochs: Math.max(1, Math.round(count / batches)),
        batchSize,
        learningRate,
        seed,
        ...options.fit,
      });
    if (headSteps > 0) {
      classifier.setTrainEncoder(false);
      await run(headSteps, 1e-2, (options.seed ?? 0) + 1);
      classifier.setTrainEncoder(true);
    }
    await run(steps, options.learningRate ?? defaultRate, options.seed ?? 0);
    return classifier;
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

async function labelledSource(data: DataInput, caller: string, numClasses?: number) {
  const source = await toBatchSource(data, { caller });
  const labels = checkedLabels(source, caller, numClasses);
  return { source, numClasses: numClasses ?? classCount(labels) };
}

/**
 * A linear probe: a linear classifier (or the head of `options.hiddenUnits`) on the frozen codes of `model`,
 * trained on labelled `data`. The model's weights do not change; the returned classifier uses (and does not own)
 * the model, so dispose the classifier before the model.
 */
export async function probe(
  model: CodeEncoder,
  data: DataInput,
  options: ClassifierTrainingOptions = {},
): Promise<LabelClassifier> {
  const { source, numClasses } = await labelledSource(data, 'probe', options.numClasses);
  const classifier = new LabelClassifier({
    encoder: model,
    numClasses,
    hiddenUnits: options.hiddenUnits,
    seed: options.seed ?? 0,
  });
  return trainClassifier(classifier, source, options, 1e-2);
}

/**
 * Fine-tuning: a copy of `model`'s encoder, with its pretrained weights, and a classifier head, all trained on the
 * labelled `data`. `model` is left as it was; the classifier owns the copy.
 */
export async function fineTune(
  model: CodeEncoder,
  data: DataInput,
  options: ClassifierTrainingOptions = {},
): Promise<LabelClassifier> {
  const { source, numClasses } = await labelledSource(data, 'fineTune', options.numClasses);
  const classifier = new LabelClassifier({
    encoder: copyModel(model),
    ownsEncoder: true,
    trainEncoder: true,
    numClasses,
    hiddenUnits: options.hiddenUnits,
    seed: options.seed ?? 0,
  });
  return trainClassifier(classifier, source, options, 1e-3);
}

/**
 * The baseline: the same architecture as `fineTune` (a model of `model`'s class and config, with fresh weights
 * seeded by `options.seed`, and the same head), trained on the labelled `data` alone.
 */
export async function trainFromScratch(
  model: CodeEncoder,
  data: DataInput,
  options: ClassifierTrainingOptions = {},
): Promise<LabelClassifier> {
  const { source, numClasses } = await labelledSource(data, 'trainFromScratch', options.numClasses);
  const seed = options.seed ?? 0;
  const classifier = new LabelClassifier({
    encoder: copyModel(model, { weights: false, seed: 7919 + seed }),
    ownsEncoder: true,
    trainEncoder: true,
    numClasses,
    hiddenUnits: options.hiddenUnits,
    seed,
  });
  return trainClassifier(classifier, source, options, 1e-3);
}

/** The three ways of training a classifier on few labels. */
export type LabelBudgetMethod = 'probe' | 'fine-tune' | 'scratch';
export const LABEL_BUDGET_METHODS: readonly LabelBudgetMethod[] = ['probe', 'fine-tune', 'scratch'];

export interface LabelBudgetOptions {
  /** Numbers of labels (balanced per class), 'all' for every training label. Default [100, 1000, 'all']. */
  budgets?: Array<number | 'all'>;
  /** Which classifiers. Default all three. */
  methods?: readonly LabelBudgetMethod[];
  /** One run per seed: the label subset and the classifier's initialization. Default [0]. */
  seeds?: number[];
  /** Training of each classifier, by method (defaults as `probe`, `fineTune`, `trainFromScratch`). */
  training?: Partial<Record<LabelBudgetMethod, ClassifierTrainingOptions>>;
  /** Called after every run with the runs done of all. */
  onProgress?: (progress: Progress & { result: LabelBudgetResult }) => void;
  signal?: AbortSignal;
}

export interface LabelBudgetResult {
  method: LabelBudgetMethod;
  /** Labels used (the budget, or the training set's size for 'all'). */
  labels: number;
  seed: number;
  /** Accuracy on the test data, in [0, 1]. */
  accuracy: number;
}

/**
 * Accuracy vs number of labels: for every budget and seed, a label subset balanced per class (seeded), then a
 * probe on `model`'s codes, a fine-tuned copy and the same architecture from scratch, each scored on `test`.
 */
export async function compareLabelBudgets(
  model: CodeEncoder,
  train: DataInput,
  test: DataInput,
  options: LabelBudgetOptions = {},
): Promise<LabelBudgetResult[]> {
  const trainSource = await toBatchSource(train, { caller: 'compareLabelBudgets (train)' });
  const testSource = await toBatchSource(test, { caller: 'compareLabelBudgets (test)' });
  const labels = checkedLabels(trainSource, 'compareLabelBudgets (train)');
  const numClasses = Math.max(
    classCount(labels),
    classCount(checkedLabels(testSource, 'compareLabelBudgets (test)')),
  );
  const budgets = options.budgets ?? [100, 1000, 'all'];
  const methods = options.methods ?? LABEL_BUDGET_METHODS;
  const seeds = options.seeds ?? [0];
  for (const b of budgets) {
    if (b !== 'all' && (!Number.isInteger(b) || b < numClasses)) {
      throw new Error(
        `compareLabelBudgets: a budget must be 'all' or an integer >= the ${numClasses} classes, got ${b}.`,
      );
    }
  }
  const run = { probe, 'fine-tune': fineTune, scratch: trainFromScratch };
  const results: LabelBudgetResult[] = [];
  const total = budgets.length * seeds.length * methods.length;
  for (const budget of budgets) {
    for (const seed of seeds) {
      const count = budget === 'all' ? trainSource.size : Math.min(budget, trainSource.size);
      const subset = subsetSource(trainSource, balancedLabelSubset(labels, count, seed));
      for (const method of methods) {
        options.signal?.throwIfAborted();
        const training = options.training?.[method] ?? {};
        const classifier = await run[method](model, subset, {
          ...training,
          numClasses,
          seed,
          fit: { ...training.fit, signal: options.signal },
        });
        try {
          const result = { method, labels: count, seed, accuracy: await classifier.accuracy(testSource) };
          results.push(result);
          options.onProgress?.({ done: results.length, total, result });
        } finally {
          classifier.dispose();
        }
      }
    }
  }
  return results;
}

/** Mean and sample standard deviation of the accuracies of each (method, labels), in the order first seen. */
export function summarizeLabelBudgets(
  results: readonly LabelBudgetResult[],
): Array<{ method: LabelBudgetMethod; labels: number; mean: number; std: number; runs: number }> {
  const groups = new Map<string, LabelBudgetResult[]>();
  for (const r of results) {
    const key = `${r.method}\u0000${r.labels}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const values = group.map((r) => r.accuracy);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance =
      values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
    return {
      method: group[0].method,
      labels: group[0].labels,
      mean,
      std: Math.sqrt(variance),
      runs: values.length,
    };
  });
}
