/**
 * Argument checks and shape helpers shared by the maths modules. Internal: not exported from the package.
 * Checks never read tensor values back (that would stall GPU pipelines); they check shapes and plain numbers.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How per-example values are combined over the batch: kept ('none'), averaged ('mean') or added ('sum'). */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

export function checkReduction(reduction: Reduction, caller: string): Reduction {
  if (!REDUCTIONS.includes(reduction)) {
    throw new Error(`${caller}: reduction must be one of ${REDUCTIONS.join(', ')}, got '${reduction}'.`);
  }
  return reduction;
}

/** Reduces per-example values (any shape) over all their axes: 'none' keeps them, 'mean' and 'sum' give scalars. */
export function reduceBatch(perExample: tf.Tensor, reduction: Reduction, caller: string): tf.Tensor {
  checkReduction(reduction, caller);
  if (reduction === 'none') return perExample;
  return reduction === 'mean' ? tf.mean(perExample) : tf.sum(perExample);
}

/** `[batch, ...]` to `[batch, rest]`. */
export function flattenRows(t: tf.Tensor): tf.Tensor2D {
  return t.rank === 2 ? (t as tf.Tensor2D) : tf.reshape(t, [t.shape[0], -1]);
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws unless `a` and `b` have the same shape, naming both arguments. */
export function assertSameShape(
  caller: string,
  aName: string,
  a: tf.Tensor,
  bName: string,
  b: tf.Tensor,
  fix = 'reshape one of them so the two match',
): void {
  if (!shapesEqual(a.shape, b.shape)) {
    throw new Error(
      `${caller}: ${aName} has shape [${a.shape}] but ${bName} has shape [${b.shape}]; ${fix}.`,
    );
  }
}

/**
 * Throws unless `b` broadcasts against `a` without changing `a`'s shape (numpy rules, aligned at the last axis):
 * e.g. a per-pixel [batch, 784], a shared [784], [1] or a scalar against [batch, 784].
 */
export function assertBroadcastsTo(
  caller: string,
  bName: string,
  b: tf.Tensor,
  aName: string,
  a: tf.Tensor,
): void {
  const ok =
    b.rank <= a.rank &&
    b.shape.every((d, i) => {
      const target = a.shape[a.rank - b.rank + i];
      return d === target || d === 1;
    });
  if (!ok) {
    throw new Error(
      `${caller}: ${bName} has shape [${b.shape}], which does not broadcast to the shape [${a.shape}] of ` +
        `${aName}; pass [${a.shape}], a trailing part of it such as [${a.shape.slice(1)}], or a scalar.`,
    );
  }
}

export function assertRank(caller: string, name: string, t: tf.Tensor, rank: number, form: string): void {
  if (t.rank !== rank) {
    throw new Error(`${caller}: ${name} must have shape ${form}, got [${t.shape}].`);
  }
}

/** Throws unless `t` has at least one axis (the batch axis). */
export function assertBatched(caller: string, name: string, t: tf.Tensor): void {
  if (t.rank < 1) {
    throw new Error(`${caller}: ${name} must have shape [batch, ...], got a scalar; add a batch axis.`);
  }
}

export function assertFiniteNumber(caller: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${caller}: ${name} must be a finite number, got ${value}.`);
  }
}

export function assertPositive(caller: string, name: string, value: number, hint = ''): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${caller}: ${name} must be a finite number > 0, got ${value}.${hint ? ` ${hint}` : ''}`);
  }
}

export function assertNonNegative(caller: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${caller}: ${name} must be a finite number >= 0, got ${value}.`);
  }
}

export function assertPositiveInteger(caller: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${caller}: ${name} must be a positive integer, got ${value}.`);
  }
}

/** Throws unless `low < value < high` (open interval). */
export function assertInOpenInterval(
  caller: string,
  name: string,
  value: number,
  low: number,
  high: number,
  hint = '',
): void {
  if (typeof value !== 'number' || !(value > low && value < high)) {
    throw new Error(
      `${caller}: ${name} must lie strictly between ${low} and ${high}, got ${value}.${hint ? ` ${hint}` : ''}`,
    );
  }
}

/** Converts a possibly negative axis to its index in [0, rank), or throws naming the argument. */
export function normalizeAxis(caller: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(
      `${caller}: axis must be an integer in [${-rank}, ${rank - 1}] for a tensor of rank ${rank}, got ${axis}.`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The trailing axes that make up one event (one example's values) when summing densities: all axes after the
 * first by default, or the last `eventRank` axes.
 */
export function eventAxes(caller: string, rank: number, eventRank?: number): number[] {
  const count = eventRank ?? rank - 1;
  if (!Number.isInteger(count) || count < 0 || count > rank) {
    throw new Error(
      `${caller}: eventRank must be an integer between 0 and the rank ${rank} of the values, got ${eventRank}.`,
    );
  }
  return Array.from({ length: count }, (_, i) => rank - count + i);
}

/** Sums over `axes` (no-op for none). */
export function sumAxes(t: tf.Tensor, axes: number[]): tf.Tensor {
  return axes.length === 0 ? t : tf.sum(t, axes);
}

export const LOG_TWO_PI = Math.log(2 * Math.PI);
