/**
 * Test helpers for models built on @vae/core: leak checks, closeness with tolerances by backend precision and
 * finite-difference gradient checks. They throw plain Errors, so they work with any test runner.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendPrecision } from './backend';
import './gradients';

export { type BackendPrecision, backendPrecision } from './backend';

/**
 * Runs `fn` and throws if the number of live tensors afterwards differs from before by anything other than
 * `expectedNewTensors` (default 0). Returns what `fn` returned.
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, expectedNewTensors = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after - before !== expectedNewTensors) {
    throw new Error(
      `tensor leak: ${after - before} tensors were left alive (expected ${expectedNewTensors}). ` +
        'Wrap intermediate work in tf.tidy or dispose it.',
    );
  }
  return result;
}

/**
 * Central-difference gradient of a scalar function of one tensor, computed in float32 on the active backend:
 * `(f(x + h e_i) - f(x - h e_i)) / 2h` for every element i. Slow: use on small tensors.
 */
export async function numericGradient(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  h = 1e-2,
): Promise<Float32Array> {
  const values = (await x.data()) as Float32Array;
  const grad = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const plus = values.slice();
    plus[i] += h;
    const minus = values.slice();
    minus[i] -= h;
    const fp = tf.tidy(() => f(tf.tensor(plus, x.shape)));
    const fm = tf.tidy(() => f(tf.tensor(minus, x.shape)));
    grad[i] = ((await fp.data())[0] - (await fm.data())[0]) / (2 * h);
    fp.dispose();
    fm.dispose();
  }
  return grad;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDifference: lengths ${a.length} and ${b.length} differ.`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Tolerances of a closeness check: values pass when `|actual - expected| <= atol + rtol * |expected|`. */
export interface Tolerance {
  /** Relative tolerance. Default: `backendPrecision().rtol` of the active backend. */
  rtol?: number;
  /** Absolute tolerance. Default: `backendPrecision().atol` of the active backend. */
  atol?: number;
}

/** Values to compare: a tensor, a number, a (nested) array of numbers or a typed array. */
export type Values = tf.Tensor | number | ArrayLike<number> | readonly unknown[];

/** The outcome of a closeness check. */
export interface ClosenessReport {
  ok: boolean;
  /** Number of values out of tolerance. */
  failures: number;
  /** Largest |actual - expected| (NaN when a value is NaN where the other is not). */
  maxAbsDifference: number;
  /** A readable summary listing the worst values; empty when ok. */
  message: string;
}

function shapeOf(values: Values): number[] | undefined {
  if (values instanceof tf.Tensor) return values.shape;
  if (typeof values === 'number') return [];
  if (Array.isArray(values)) {
    const inner = values.length > 0 && Array.isArray(values[0]) ? shapeOf(values[0] as Values) : [];
    return inner === undefined ? undefined : [values.length, ...inner];
  }
  return undefined;
}

function flatten(values: Exclude<Values, tf.Tensor>): ArrayLike<number> {
  if (typeof values === 'number') return [values];
  if (Array.isArray(values)) return values.flat(Number.POSITIVE_INFINITY) as number[];
  return values as ArrayLike<number>;
}

async function read(values: Values): Promise<ArrayLike<number>> {
  return values instanceof tf.Tensor ? ((await values.data()) as Float32Array) : flatten(values);
}

function indexOf(flat: number, shape: number[] | undefined): string {
  if (shape === undefined || shape.length === 0) return `[${flat}]`;
  const index: number[] = [];
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return `[${index.join(', ')}]`;
}

function resolveTolerance(tolerance: Tolerance): Required<Tolerance> {
  const precision = backendPrecision();
  return { rtol: tolerance.rtol ?? precision.rtol, atol: tolerance.atol ?? precision.atol };
}

/**
 * Compares two arrays elementwise: `|actual - expected| <= atol + rtol * |expected|`, NaN equal only to NaN and
 * infinities only to themselves. Returns a report; see `expectClose` for the throwing form. `shape` (optional)
 * makes the report print multi-indices.
 */
export function closeness(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance = {},
  shape?: number[],
): ClosenessReport {
  const { rtol, atol } = resolveTolerance(tolerance);
  if (actual.length !== expected.length) {
    return {
      ok: false,
      failures: Math.max(actual.length, expected.length),
      maxAbsDifference: Number.NaN,
      message: `${actual.length} actual values but ${expected.length} expected ones.`,
    };
  }
  const bad: Array<{ i: number; a: number; e: number; diff: number; allowed: number }> = [];
  let maxDiff = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const bothNaN = Number.isNaN(a) && Number.isNaN(e);
    const finite = Number.isFinite(e);
    const diff = a === e || bothNaN ? 0 : Math.abs(a - e);
    const allowed = finite ? atol + rtol * Math.abs(e) : 0;
    maxDiff = Number.isNaN(diff) || Number.isNaN(maxDiff) ? Number.NaN : Math.max(maxDiff, diff);
    if (!(diff <= allowed)) bad.push({ i, a, e, diff, allowed });
  }
  if (bad.length === 0) return { ok: true, failures: 0, maxAbsDifference: maxDiff, message: '' };
  const excess = (x: { diff: number; allowed: number }) =>
    Number.isNaN(x.diff) ? Number.POSITIVE_INFINITY : x.diff - x.allowed;
  const worst = [...bad].sort((p, q) => excess(q) - excess(p));
  const lines = worst
    .slice(0, 5)
    .map(
      ({ i, a, e, diff, allowed }) =>
        `  at ${indexOf(i, shape)}: actual ${a}, expected ${e}, |diff| ${diff.toPrecision(3)} > ` +
        `allowed ${allowed.toPrecision(3)}`,
    );
  return {
    ok: false,
    failures: bad.length,
    maxAbsDifference: maxDiff,
    message:
      `${bad.length} of ${actual.length} values differ beyond atol ${atol} + rtol ${rtol} * |expected| ` +
      `(backend ${tf.getBackend()}):\n${lines.join('\n')}${bad.length > 5 ? `\n  ... and ${bad.length - 5} more` : ''}`,
  };
}

/**
 * Throws unless `actual` is close to `expected` elementwise (`|actual - expected| <= atol + rtol * |expected|`),
 * with tolerances defaulting to the active backend's precision (`backendPrecision()`). Either side may be a
 * tensor, a number or a (nested) array; shapes must agree when both are known. The error lists the worst values
 * with their indices. Does not dispose the tensors it is given.
 */
export async function expectClose(
  actual: Values,
  expected: Values,
  tolerance: Tolerance = {},
): Promise<void> {
  const actualShape = shapeOf(actual);
  const expectedShape = shapeOf(expected);
  if (
    actual instanceof tf.Tensor &&
    expectedShape !== undefined &&
    typeof expected !== 'number' &&
    (actualShape?.length !== expectedShape.length || actualShape.some((d, i) => d !== expectedShape[i]))
  ) {
    throw new Error(
      `expectClose: actual has shape [${actualShape}] but expected has shape [${expectedShape}].`,
    );
  }
  const report = closeness(await read(actual), await read(expected), tolerance, actualShape ?? expectedShape);
  if (!report.ok) throw new Error(`expectClose: ${report.message}`);
}

export interface GradientCheckOptions extends Tolerance {
  /** Step of the central differences. Default 1e-2 (float32 needs a large step). */
  step?: number;
}

/** The analytic and numeric gradients a gradient check compared, one array per input. */
export interface GradientCheckReport {
  analytic: Float32Array[];
  numeric: Float32Array[];
  /** Largest |analytic - numeric| over all inputs. */
  maxAbsDifference: number;
}

/** Central difference of `evaluate` at element `index` of `values`. */
async function centralDifference(
  values: Float32Array,
  index: number,
  step: number,
  evaluate: (perturbed: Float32Array) => tf.Scalar,
): Promise<{ slope: number; magnitude: number }> {
  const plus = values.slice();
  plus[index] += step;
  const minus = values.slice();
  minus[index] -= step;
  const fp = evaluate(plus);
  const fm = evaluate(minus);
  const [p] = await fp.data();
  const [m] = await fm.data();
  tf.dispose([fp, fm]);
  return { slope: (p - m) / (2 * step), magnitude: Math.max(Math.abs(p), Math.abs(m)) };
}

function compareGradients(
  caller: string,
  label: (input: number) => string,
  shapes: number[][],
  analytic: Float32Array[],
  numeric: Float32Array[],
  magnitudes: number[],
  options: GradientCheckOptions,
  step: number,
): GradientCheckReport {
  const { rtol, atol } = resolveTolerance({ rtol: options.rtol ?? 2e-2, atol: options.atol ?? 2e-3 });
  // Rounding in f itself, amplified by 1 / (2 step): float32 evaluates to ~1e-6 relative, GPUs ~1e-5.
  const precision = backendPrecision();
  const unit =
    precision.floatBits < 32
      ? 1e-3
      : precision.backend === 'webgl' || precision.backend === 'webgpu'
        ? 1e-5
        : 1e-6;
  let maxDiff = 0;
  const problems: Array<{ excess: number; line: string }> = [];
  for (let k = 0; k < analytic.length; k++) {
    const roundoff = (unit * Math.max(1, magnitudes[k])) / step;
    for (let i = 0; i < analytic[k].length; i++) {
      const a = analytic[k][i];
      const n = numeric[k][i];
      const diff = Math.abs(a - n);
      maxDiff = Number.isNaN(diff) ? Number.NaN : Math.max(maxDiff, diff);
      const allowed = atol + rtol * Math.max(Math.abs(a), Math.abs(n)) + roundoff;
      if (!(diff <= allowed)) {
        problems.push({
          excess: Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff - allowed,
          line:
            `  ${label(k)} at ${indexOf(i, shapes[k])}: analytic ${a}, central difference ${n}, ` +
            `|diff| ${diff.toPrecision(3)} > allowed ${allowed.toPrecision(3)}`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `${caller}: ${problems.length} gradient entries disagree with central differences (step ${step}, ` +
        `backend ${precision.backend}):\n${problems
          .sort((p, q) => q.excess - p.excess)
          .slice(0, 8)
          .map((p) => p.line)
          .join('\n')}` +
        (problems.length > 8 ? `\n  ... and ${problems.length - 8} more` : ''),
    );
  }
  return { analytic, numeric, maxAbsDifference: maxDiff };
}

/**
 * Gradient check: compares `tf.grads(f)` at `inputs` with central differences `(f(x + h e_i) - f(x - h e_i)) / 2h`
 * for every element of every input, computed on the active backend in float32. Passes when
 * `|analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)` plus an allowance for float32 rounding in f
 * (defaults rtol 2e-2, atol 2e-3, step 1e-2). Throws listing the worst entries; returns both gradients. `f` must
 * be deterministic (reseed any sampling inside it). Slow: one pair of evaluations per element; keep inputs small.
 * Leaks no tensors; does not dispose `inputs`.
 */
export async function checkGradients(
  f: (...inputs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  options: GradientCheckOptions = {},
): Promise<GradientCheckReport> {
  const step = options.step ?? 1e-2;
  const { value, grads } = tf.valueAndGrads(f)(inputs);
  const analytic = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
  const [fx] = await value.data();
  tf.dispose([value, ...grads]);
  const numeric: Float32Array[] = [];
  const magnitudes: number[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const values = (await inputs[k].data()) as Float32Array;
    const out = new Float32Array(values.length);
    let magnitude = Math.abs(fx);
    for (let i = 0; i < values.length; i++) {
      const { slope, magnitude: m } = await centralDifference(values, i, step, (perturbed) =>
        tf.tidy(() => f(...inputs.map((input, j) => (j === k ? tf.tensor(perturbed, input.shape) : input)))),
      );
      out[i] = slope;
      magnitude = Math.max(magnitude, m);
    }
    numeric.push(out);
    magnitudes.push(magnitude);
  }
  return compareGradients(
    'checkGradients',
    (k) => `input ${k} (shape [${inputs[k].shape}])`,
    inputs.map((t) => t.shape),
    analytic,
    numeric,
    magnitudes,
    options,
    step,
  );
}

/**
 * Gradient check with respect to variables (e.g. a layer's or model's weights): compares `tf.variableGrads(f)`
 * with central differences obtained by assigning perturbed values to each variable element, restoring them after.
 * Tolerances as `checkGradients`. `f` must be deterministic.
 */
export async function checkVariableGradients(
  f: () => tf.Scalar,
  variables: tf.Variable[],
  options: GradientCheckOptions = {},
): Promise<GradientCheckReport> {
  const step = options.step ?? 1e-2;
  const { value, grads } = tf.variableGrads(f, variables);
  const analytic = await Promise.all(
    variables.map(async (v) => {
      const g = grads[v.name];
      return g === undefined ? new Float32Array(v.size) : ((await g.data()) as Float32Array);
    }),
  );
  const [fx] = await value.data();
  tf.dispose([value, ...Object.values(grads)]);
  const numeric: Float32Array[] = [];
  const magnitudes: number[] = [];
  for (const variable of variables) {
    const original = (await variable.data()) as Float32Array;
    const out = new Float32Array(original.length);
    let magnitude = Math.abs(fx);
    try {
      for (let i = 0; i < original.length; i++) {
        const { slope, magnitude: m } = await centralDifference(original, i, step, (perturbed) =>
          tf.tidy(() => {
            variable.assign(tf.tensor(perturbed, variable.shape));
            return f();
          }),
        );
        out[i] = slope;
        magnitude = Math.max(magnitude, m);
      }
    } finally {
      tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
    }
    numeric.push(out);
    magnitudes.push(magnitude);
  }
  return compareGradients(
    'checkVariableGradients',
    (k) => `variable '${variables[k].name}' (shape [${variables[k].shape}])`,
    variables.map((v) => v.shape),
    analytic,
    numeric,
    magnitudes,
    options,
    step,
  );
}
