/** Assigning saved weights to a model (`loadModel`, checkpoints, and replicas of data-parallel training). */
import type * as tf from '@tensorflow/tfjs-core';
import type { SavableModel } from './registry';

/** Assigns named weights to a model's variables, checking that every name and shape matches. */
export function setWeights(model: SavableModel, weights: tf.NamedTensorMap): void {
  const variables = model.variables;
  const missing = Object.keys(variables).filter((name) => !Object.hasOwn(weights, name));
  const extra = Object.keys(weights).filter((name) => !Object.hasOwn(variables, name));
  if (missing.length || extra.length) {
    throw new Error(
      `weights do not match the ${model.className} architecture` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; unexpected: ${extra.join(', ')}` : '') +
        '. Load them into a model built with the same config.',
    );
  }
  for (const [name, variable] of Object.entries(variables)) {
    const value = weights[name];
    if (value.shape.join() !== variable.shape.join()) {
      throw new Error(`weight ${name} has shape [${value.shape}] but the model expects [${variable.shape}].`);
    }
    if (value.dtype !== variable.dtype) {
      throw new Error(
        `weight ${name} is ${value.dtype} but the model's variable is ${variable.dtype}; save the weights as ` +
          `${variable.dtype}.`,
      );
    }
  }
  for (const [name, variable] of Object.entries(variables)) variable.assign(weights[name]);
}
