/**
 * A fully connected layer that owns its variables and whose backward pass is written by hand with explicit
 * transposes: `dX = dY W^T`, `dW = X^T dY`, `db = sum(dY)`. Automatic differentiation of `matMul` produces
 * `matMul(..., transposeA/transposeB)`, which the wasm backend runs about 10x slower than a plain matMul
 * (see docs/performance.md); the gradients are identical. The forward pass is one fused matMul + bias + activation.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { uniqueVariableName } from './naming';

// tfjs types customGrad's function as variadic over Tensor | GradSaveFunc; ours take them positionally.
type CustomGradient = Parameters<typeof tf.customGrad>[0];

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

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

export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

function activationGradient(activation: Activation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      // relu'(a) = 1 where a > 0, and y > 0 exactly there.
      return tf.mul(dy, tf.step(y));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
  }
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
    const activation = this.activation;
    const fusedActivation = activation === 'tanh' ? 'linear' : activation;
    const forward = (input: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D => {
      const y = tf.fused.matMul({ a: input, b: w, bias: b, activation: fusedActivation }) as tf.Tensor2D;
      if (activation !== 'tanh') return y;
      const out = tf.tanh(y) as tf.Tensor2D;
      y.dispose();
      return out;
    };
    if (options.inputGradient === false) {
      const input = x as tf.Tensor2D;
      const op = tf.customGrad(((w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
        const y = forward(input, w as tf.Tensor2D, b as tf.Tensor1D);
        save([y]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const g = activationGradient(activation, dy, saved[0]);
            return [tf.matMul(tf.transpose(input), g), tf.sum(g, 0)];
          },
        };
      }) as CustomGradient);
      return op(this.kernel, this.bias) as tf.Tensor2D;
    }
    const op = tf.customGrad(((input: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      const y = forward(input as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
      save([input, w, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [savedInput, savedW, savedY] = saved;
          const g = activationGradient(activation, dy, savedY);
          return [tf.matMul(g, tf.transpose(savedW)), tf.matMul(tf.transpose(savedInput), g), tf.sum(g, 0)];
        },
      };
    }) as CustomGradient);
    return op(x, this.kernel, this.bias) as tf.Tensor2D;
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
