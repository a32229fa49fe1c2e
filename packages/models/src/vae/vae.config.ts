import type { Activation } from '@vae/core';

/** Configuration of the multilayer-perceptron VAE. Plain JSON: it is saved with the model. */
export interface VAEConfig {
  /** Shape of one input example, e.g. [28, 28, 1]. Inputs are flattened to rows internally. */
  inputShape: number[];
  /** Hidden layer sizes of the encoder; the decoder mirrors them. */
  hiddenUnits: number[];
  /** Dimension of the latent code z. */
  latentDim: number;
  /** Activation of the hidden layers. */
  activation: Activation;
  /** Observation model p(x|z). 'bernoulli': pixels in [0, 1], binary cross-entropy from logits. */
  likelihood: 'bernoulli';
  /** Weight of the KL term (1 gives the ELBO). */
  beta: number;
  /** Seed of the weight initializer; omit for a random one. */
  seed?: number;
}

/** The classic model of the PyTorch VAE example: 784-400-20, ReLU, Bernoulli decoder. */
export const VAE_DEFAULTS: VAEConfig = {
  inputShape: [28, 28, 1],
  hiddenUnits: [400],
  latentDim: 20,
  activation: 'relu',
  likelihood: 'bernoulli',
  beta: 1,
};

/** Fills in defaults and checks every field, with errors that name the field and the fix. */
export function resolveVAEConfig(config: Partial<VAEConfig> = {}): VAEConfig {
  const resolved: VAEConfig = { ...VAE_DEFAULTS, ...config };
  const positiveInts = (name: string, values: unknown) => {
    if (!Array.isArray(values) || values.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new Error(
        `VAE config: ${name} must be a list of positive integers, got ${JSON.stringify(values)}.`,
      );
    }
  };
  positiveInts('inputShape', resolved.inputShape);
  if (resolved.inputShape.length === 0)
    throw new Error('VAE config: inputShape must not be empty, e.g. [28, 28, 1].');
  positiveInts('hiddenUnits', resolved.hiddenUnits);
  if (!Number.isInteger(resolved.latentDim) || resolved.latentDim < 1) {
    throw new Error(`VAE config: latentDim must be a positive integer, got ${resolved.latentDim}.`);
  }
  if (resolved.likelihood !== 'bernoulli') {
    throw new Error(`VAE config: likelihood '${resolved.likelihood}' is not supported yet; use 'bernoulli'.`);
  }
  if (!(resolved.beta >= 0) || !Number.isFinite(resolved.beta)) {
    throw new Error(`VAE config: beta must be a finite number >= 0, got ${resolved.beta}.`);
  }
  return resolved;
}
