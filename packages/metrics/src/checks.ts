/** Input checks shared by the metrics. Every message names the function that failed and says what to pass. */

/** Throws unless `value` is an integer >= `minimum` (default 1). */
export function assertInteger(where: string, name: string, value: number, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${where}: ${name} must be an integer >= ${minimum}, got ${value}.`);
  }
}

/** Throws unless `value` is a finite number in [low, high]. */
export function assertInRange(where: string, name: string, value: number, low: number, high: number): void {
  if (!Number.isFinite(value) || value < low || value > high) {
    throw new Error(`${where}: ${name} must be a number in [${low}, ${high}], got ${value}.`);
  }
}

/** Throws unless the two lengths agree. */
export function assertSameLength(where: string, what: string, a: number, b: number): void {
  if (a !== b)
    throw new Error(`${where}: ${what} have different lengths (${a} and ${b}); pass one per example.`);
}

/** Throws on the first NaN or infinite value, naming its index. */
export function assertFinite(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`${where}: ${name}[${i}] is ${values[i]}; every value must be finite.`);
    }
  }
}

/** Class labels as integers; throws on non-integers. */
export function integerLabels(where: string, name: string, labels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label)) {
      throw new Error(`${where}: ${name}[${i}] is ${label}; labels must be integers (class indices).`);
    }
    out[i] = label;
  }
  return out;
}

/**
 * Maps arbitrary integer labels to dense indices 0..classes-1 (in increasing label order). Returns the indices and
 * the label value of each index.
 */
export function denseLabels(labels: ArrayLike<number>): { indices: Int32Array; values: number[] } {
  const values = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const lookup = new Map(values.map((value, index) => [value, index]));
  const indices = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) indices[i] = lookup.get(labels[i])!;
  return { indices, values };
}

/** log(exp(a) + exp(b)) without overflow; -Infinity is the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const max = Math.max(a, b);
  return max + Math.log1p(Math.exp(-Math.abs(a - b)));
}
