/**
 * The element-wise activations of the dense and convolutional layers, and their derivatives written in terms of the
 * activation's output y (what a hand-written backward pass has saved): relu' = step(y), sigmoid' = y (1 - y),
 * tanh' = 1 - y^2. One owner for `fusedDense`, `fusedConv2d` and any model that applies a layer's activation itself.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

/** `activation(x)`, element-wise. */
export function applyActivation(activation: Activation, x: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
  }
}

/** `activation'(a)` from the output `y = activation(a)`, element-wise. */
export function activationSlope(activation: Activation, y: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'linear':
      return tf.onesLike(y);
    case 'relu':
      // relu'(a) = 1 where a > 0, and y > 0 exactly there.
      return tf.step(y);
    case 'sigmoid':
      return tf.mul(y, tf.sub(1, y));
    case 'tanh':
      return tf.sub(1, tf.square(y));
  }
}

/** `dy * activation'(a)` from the output `y = activation(a)` (the backward pass of an activation). */
export function activationGradient(activation: Activation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return activation === 'linear' ? dy : tf.mul(dy, activationSlope(activation, y));
}
