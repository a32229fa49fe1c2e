/**
 * Label budgets: seeded subsets of a labelled data set, balanced per class (the "100 labels" of semi-supervised
 * benchmarks: 10 of each digit), views of a source restricted to such a subset, and a source that mixes a few
 * labelled examples into every batch of the unlabelled ones (labels -1), for the semi-supervised models.
 */
import type { BatchSource } from '@vae/core';
import { Random } from '@vae/core';

/** The class labels of a source, checked to be integers in [0, numClasses). */
export function checkedLabels(source: BatchSource, caller: string, numClasses?: number): ArrayLike<number> {
  const labels = source.labels;
  if (!labels) {
    throw new Error(`${caller}: the data has no class labels (BatchSource.labels); pass labelled data.`);
  }
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      throw new Error(
        `${caller}: label ${v} of example ${i} is not an integer in [0, ${numClasses ?? 'classes'}).`,
      );
    }
  }
  return labels;
}

/** The number of classes of integer labels (the largest label + 1). */
export function classCount(labels: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i]);
  return max + 1;
}

/**
 * `count` example indices drawn without replacement, balanced per class: floor(count / classes) of every class,
 * the remainder to classes taken in a seeded random order (one more each), in a seeded random order overall. The
 * same seed gives the same subset; `count` >= the data size gives every index. Throws when a class has fewer
 * examples than its share.
 */
export function balancedLabelSubset(labels: ArrayLike<number>, count: number, seed = 0): Int32Array {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`balancedLabelSubset: count must be a positive integer, got ${count}.`);
  }
  const random = new Random(seed);
  if (count >= labels.length) return random.permutation(labels.length);
  const classes = classCount(labels);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const present = byClass.map((members, c) => (members.length > 0 ? c : -1)).filter((c) => c >= 0);
  const share = Math.floor(count / present.length);
  const extra = count - share * present.length;
  const order = random.permutation(present.length);
  const chosen: number[] = [];
  for (let k = 0; k < present.length; k++) {
    const c = present[order[k]];
    const want = share + (k < extra ? 1 : 0);
    const members = byClass[c];
    if (members.length < want) {
      throw new Error(
        `balancedLabelSubset: class ${c} has ${members.length} examples, fewer than its share ${want} of ` +
          `${count}; ask for fewer labels.`,
      );
    }
    const picked = random.permutation(members.length);
    for (let j = 0; j < want; j++) chosen.push(members[picked[j]]);
  }
  const shuffled = random.permutation(chosen.length);
  return Int32Array.from(shuffled, (j) => chosen[j]);
}

/** A view of `source` holding the examples `indices` (and their labels, or `labels` in their place). */
export function subsetSource(
  source: BatchSource,
  indices: ArrayLike<number>,
  labels?: ArrayLike<number>,
): BatchSource {
  const map = Int32Array.from(indices);
  for (const i of map) {
    if (!(i >= 0 && i < source.size)) {
      throw new Error(`subsetSource: index ${i} is outside the source's ${source.size} examples.`);
    }
  }
  const own = source.labels;
  return {
    size: map.length,
    itemShape: source.itemShape,
    batch: (batch) => source.batch(Int32Array.from(batch, (j) => map[j])),
    labels: labels ?? (own ? Int32Array.from(map, (i) => own[i]) : undefined),
  };
}

export interface SemiSupervisedSourceOptions {
  /**
   * Share of every epoch's examples that are labelled: the labelled set is repeated (each copy once per epoch)
   * until it makes about this share. Default 0.1 of the batches' examples; at most 0.5. With a share below the
   * labelled set's natural share, it is not repeated.
   */
  labelledShare?: number;
}

/** A source of every example with only `labelled` indices keeping their label, the rest -1 (see below). */
export interface SemiSupervisedSource extends BatchSource {
  /** Times each labelled example appears per epoch. */
  readonly repeats: number;
  /** Number of distinct labelled examples. */
  readonly labelledCount: number;
  /** Number of unlabelled examples (every example of the base source not in `labelled`). */
  readonly unlabelledCount: number;
}

/**
 * The examples of `source` for semi-supervised training: the unlabelled ones (every example not in `labelled`,
 * label -1) once, and the labelled ones (their own label) repeated `repeats` times, so that a shuffled batch holds
 * about `labelledShare` labelled examples (as Kingma et al. 2014 draw a labelled and an unlabelled minibatch per
 * step). Any model whose objective reads -1 as "unlabelled" (M2) trains on it with `fit` unchanged.
 */
export function semiSupervisedSource(
  source: BatchSource,
  labelled: ArrayLike<number>,
  options: SemiSupervisedSourceOptions = {},
): SemiSupervisedSource {
  const labels = checkedLabels(source, 'semiSupervisedSource');
  const share = options.labelledShare ?? 0.1;
  if (!(share > 0 && share <= 0.5)) {
    throw new Error(`semiSupervisedSource: labelledShare must be in (0, 0.5], got ${share}.`);
  }
  const isLabelled = new Uint8Array(source.size);
  for (const i of Array.from(labelled)) {
    if (!(Number.isInteger(i) && i >= 0 && i < source.size)) {
      throw new Error(`semiSupervisedSource: labelled index ${i} is outside the ${source.size} examples.`);
    }
    isLabelled[i] = 1;
  }
  const labelledIndices = Int32Array.from(
    Array.from({ length: source.size }, (_, i) => i).filter((i) => isLabelled[i]),
  );
  if (labelledIndices.length === 0) throw new Error('semiSupervisedSource: no labelled examples given.');
  const unlabelled = Int32Array.from(
    Array.from({ length: source.size }, (_, i) => i).filter((i) => !isLabelled[i]),
  );
  const repeats = Math.max(
    1,
    Math.round((share * unlabelled.length) / ((1 - share) * labelledIndices.length)),
  );
  const map = new Int32Array(unlabelled.length + repeats * labelledIndices.length);
  const mixedLabels = new Int32Array(map.length).fill(-1);
  map.set(unlabelled, 0);
  for (let r = 0; r < repeats; r++) {
    const offset = unlabelled.length + r * labelledIndices.length;
    map.set(labelledIndices, offset);
    for (let j = 0; j < labelledIndices.length; j++) mixedLabels[offset + j] = labels[labelledIndices[j]];
  }
  return {
    size: map.length,
    itemShape: source.itemShape,
    batch: (indices) => source.batch(Int32Array.from(indices, (j) => map[j])),
    labels: mixedLabels,
    repeats,
    labelledCount: labelledIndices.length,
    unlabelledCount: unlabelled.length,
  };
}
