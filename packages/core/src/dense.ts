/**
 * A fully connected layer that owns its variables and whose backward pass is written by hand: `dX = dY W^T`,
 * `dW = X^T dY`, `db = sum(dY)`. Automatic differentiation of `matMul` produces `matMul(..., transposeA/transposeB)`,
 * which the wasm backend runs about 10x slower than a plain matMul (see docs/performance.md); the gradients are
 * identical. The products go through `matMul2d` (matmul.ts): on wasm one SIMD kernel that reads transposed operands
 * in place and fuses the forward pass's bias and activation; elsewhere tfjs's fused matMul with explicit transposes.
 * The maths lives in `fusedDense`, which the Layers API `DenseLayer` and `TiedDenseLayer` share.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type Activation, activationGradient } from './activations';
import { columnSums } from './column-sums';
import { matMul2d } from './matmul';
import './gradients';
import { uniqueVariableName } from './naming';

export { ACTIVATIONS, type Activation };

// tfjs types customGrad's function as variadic over Tensor | GradSaveFunc; ours take them positionally.
type CustomGradient = Parameters<typeof tf.customGrad>[0];

export interface DenseOptions {
  /** Nonlinearity applied after the affine map. Default 'linear'. */
  activation?: Activation;
  /** Seed for the initializer; omit for a random one. */
  seed?: number;
  /** Model-local name of the layer, e.g. 'encoder/hidden0'. Variables are `<name>/kernel` and `<name>/bias`. */
  name?: string;
}

export interface DenseApplyOptions {
  /**
   * Whether a gradient with respect to the input is needed. Set false when the input is data (the first layer of
   * an encoder): it skips one matMul per backward step. Default true.
   */
  inputGradient?: boolean;
}

export interface FusedDenseOptions {
  /** Nonlinearity applied after the affine map. Default 'linear'. */
  activation?: Activation;
  /**
   * Whether a gradient with respect to `x` is needed. Set false when `x` is data: the backward pass then skips
   * one matMul and returns no gradient for `x`. Default true.
   */
  inputGradient?: boolean;
  /**
   * Use the kernel transposed: `y = x W^T + b` with `W` of shape [units, inputSize] (a tied decoder reusing an
   * encoder's kernel). The forward pass transposes explicitly; the backward pass needs no transpose at all.
   * Default false: `y = x W + b` with `W` of shape [inputSize, units].
   */
  transposeKernel?: boolean;
}

/**
 * The dense layer's maths, shared by `Dense` and the Layers API `DenseLayer` / `TiedDenseLayer`:
 * `y = activation(x W + b)` (or `x W^T + b` with `transposeKernel`), forward as one `tf.fused.matMul`, backward
 * written by hand with explicit transposes so that no `matMul` runs with `transposeA`/`transposeB` (slow on wasm):
 * `g = dy * activation'`, `dX = g W^T`, `dW = X^T g` (`g^T X` when transposed), `db = sum(g, 0)`.
 * Gradients equal tfjs autodiff of the plain ops. `x` is [batch, inputSize]; `bias` may be null (no bias).
 * Returns [batch, units]. Checks shapes and names the argument on a mismatch.
 */
export function fusedDense(
  x: tf.Tensor2D,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  options: FusedDenseOptions = {},
): tf.Tensor2D {
  const activation = options.activation ?? 'linear';
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`fusedDense: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
  }
  const transposeKernel = options.transposeKernel === true;
  if (kernel.rank !== 2) {
    throw new Error(`fusedDense: kernel must have shape [inputSize, units], got [${kernel.shape}].`);
  }
  const inputSize = transposeKernel ? kernel.shape[1] : kernel.shape[0];
  const units = transposeKernel ? kernel.shape[0] : kernel.shape[1];
  if (x.rank !== 2 || x.shape[1] !== inputSize) {
    throw new Error(
      `fusedDense: x must have shape [batch, ${inputSize}] to match the kernel [${kernel.shape}]` +
        `${transposeKernel ? ' (transposed)' : ''}, got [${x.shape}]. Flatten inputs to rows first.`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== units)) {
    throw new Error(`fusedDense: bias must have shape [${units}], got [${bias.shape}].`);
  }
  for (const [name, t] of [
    ['kernel', kernel],
    ['bias', bias],
  ] as const) {
    if (t !== null && t.dtype !== 'float32') {
      throw new Error(
        `fusedDense: ${name} must be float32, got ${t.dtype}; cast it first (tf.cast(${name}, 'float32')).`,
      );
    }
  }
  // Integer or boolean inputs (one-hot codes, rendered factors) are read as floats, as tfjs's matMul would.
  if (x.dtype !== 'float32') {
    return tf.tidy(() => fusedDense(tf.cast(x, 'float32') as tf.Tensor2D, kernel, bias, options));
  }
  const fusedActivation = activation === 'tanh' ? 'linear' : activation;
  const forward = (input: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | undefined): tf.Tensor2D => {
    const y = matMul2d(input, w, {
      layout: transposeKernel ? 'nt' : 'nn',
      bias: b,
      activation: fusedActivation,
    });
    return activation === 'tanh' ? (tf.tanh(y) as tf.Tensor2D) : y;
  };
  const kernelGradient = (input: tf.Tensor, g: tf.Tensor): tf.Tensor =>
    transposeKernel
      ? matMul2d(g as tf.Tensor2D, input as tf.Tensor2D, { layout: 'tn' })
      : matMul2d(input as tf.Tensor2D, g as tf.Tensor2D, { layout: 'tn' });
  const inputGradient = (w: tf.Tensor, g: tf.Tensor): tf.Tensor =>
    transposeKernel
      ? matMul2d(g as tf.Tensor2D, w as tf.Tensor2D)
      : matMul2d(g as tf.Tensor2D, w as tf.Tensor2D, { layout: 'nt' });
  const withBias = bias !== null;
  if (options.inputGradient === false) {
    const op = tf.customGrad(((...args: unknown[]) => {
      const w = args[0] as tf.Tensor2D;
      const b = withBias ? (args[1] as tf.Tensor1D) : undefined;
      const save = args[withBias ? 2 : 1] as tf.GradSaveFunc;
      const y = forward(x, w, b);
      // x is not an input of this op, but it must outlive the forward pass (tfjs disposes intermediates).
      save([x, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [savedInput, savedY] = saved;
          const g = activationGradient(activation, dy, savedY);
          const dw = kernelGradient(savedInput, g);
          return withBias ? [dw, columnSums(g as tf.Tensor2D)] : [dw];
        },
      };
    }) as CustomGradient);
    return (withBias ? op(kernel, bias) : op(kernel)) as tf.Tensor2D;
  }
  const op = tf.customGrad(((...args: unknown[]) => {
    const input = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor2D;
    const b = withBias ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
    const y = forward(input, w, b);
    save([input, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedW, savedY] = saved;
        const g = activationGradient(activation, dy, savedY);
        const grads = [inputGradient(savedW, g), kernelGradient(savedInput, g)];
        if (withBias) grads.push(columnSums(g as tf.Tensor2D));
        return grads;
      },
    };
  }) as CustomGradient);
  return (withBias ? op(x, kernel, bias) : op(x, kernel)) as tf.Tensor2D;
}

export class Dense {
  readonly inputSize: number;
  readonly units: number;
  readonly activation: Activation;
  readonly name: string;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(inputSize: number, units: number, options: DenseOptions = {}) {
    for (const [label, v] of [
      ['inputSize', inputSize],
      ['units', units],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new Error(`Dense: ${label} must be a positive integer, got ${v}.`);
      }
    }
    const activation = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(activation)) {
      throw new Error(`Dense: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
    }
    this.inputSize = inputSize;
    this.units = units;
    this.activation = activation;
    this.name = options.name ?? 'dense';
    // PyTorch's nn.Linear default (kaiming_uniform with a = sqrt(5)): U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for both.
    const bound = 1 / Math.sqrt(inputSize);
    const seed = options.seed;
    this.kernel = tf.tidy(() =>
      tf.variable(
        tf.randomUniform([inputSize, units], -bound, bound, 'float32', seed),
        true,
        uniqueVariableName(`${this.name}/kernel`),
      ),
    );
    this.bias = tf.tidy(() =>
      tf.variable(
        tf.randomUniform([units], -bound, bound, 'float32', seed === undefined ? undefined : seed + 1),
        true,
        uniqueVariableName(`${this.name}/bias`),
      ),
    );
  }

  /** The layer's variables keyed by model-local name. */
  get variables(): Record<string, tf.Variable> {
    return { [`${this.name}/kernel`]: this.kernel, [`${this.name}/bias`]: this.bias };
  }

  apply(x: tf.Tensor, options: DenseApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputSize) {
      throw new Error(
        `Dense '${this.name}': expected input of shape [batch, ${this.inputSize}], got [${x.shape}]. ` +
          'Flatten images to rows first.',
      );
    }
    return fusedDense(x as tf.Tensor2D, this.kernel, this.bias, {
      activation: this.activation,
      inputGradient: options.inputGradient,
    });
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
