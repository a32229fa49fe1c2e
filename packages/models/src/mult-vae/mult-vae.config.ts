import { ACTIVATIONS, type Activation, type KlSchedule, validateSchedule } from '@vae/core';
import { checkNumber, checkOneOf, checkPositiveIntegers, configError } from '../base/config';

/**
 * Configuration shared by Mult-VAE and Mult-DAE (Liang et al., WWW 2018). Plain JSON: it is saved with the model.
 * The paper's architecture for ML-20M, Netflix and MSD is [items -> 600 -> 200 -> 600 -> items] with tanh.
 */
export interface MultinomialAutoencoderConfig {
  /** Items per user row (the width of the click vector). */
  items: number;
  /** Hidden layer sizes of the encoder; the decoder mirrors them. Default [600] (the paper's). */
  hiddenUnits: number[];
  /** Size of the code (Mult-DAE) or of the latent variable z (Mult-VAE). Default 200. */
  latentDim: number;
  /** Activation of the hidden layers. Default 'tanh' (the paper's). */
  activation: Activation;
  /** Dropout rate on the normalized input while training (the paper keeps each entry with probability 0.5). */
  dropout: number;
  /**
   * L2 weight decay: `weightDecay * sum ||W||^2` over the kernels is added to the per-user loss. The paper's code uses
   * 0 for Mult-VAE and 0.01 for Mult-DAE.
   */
  weightDecay: number;
  /** Seed of the initial weights; omit for random ones. */
  seed?: number;
}

export interface MultVAEConfig extends MultinomialAutoencoderConfig {
  /**
   * The KL weight beta over optimizer steps (core's schedules). Default: the paper's annealing, beta = min(0.2,
   * step / 200,000), i.e. `{ kind: 'linear', from: 0, to: 0.2, steps: 40000 }`; the cap 0.2 is the paper's best on
   * ML-20M. With fewer steps per epoch (small data), shorten `steps` so the cap is reached.
   */
  klSchedule: KlSchedule;
}

export type MultDAEConfig = MultinomialAutoencoderConfig;

export const MULT_DAE_DEFAULTS: Omit<MultDAEConfig, 'items'> = {
  hiddenUnits: [600],
  latentDim: 200,
  activation: 'tanh',
  dropout: 0.5,
  weightDecay: 0.01,
};

export const MULT_VAE_DEFAULTS: Omit<MultVAEConfig, 'items'> = {
  ...MULT_DAE_DEFAULTS,
  weightDecay: 0,
  klSchedule: { kind: 'linear', from: 0, to: 0.2, steps: 40000 },
};

/** Checks the shared fields; throws naming the model and the field. */
export function checkMultinomialConfig(className: string, config: MultinomialAutoencoderConfig): void {
  checkNumber(className, 'items', config.items, (v) => Number.isInteger(v) && v >= 2, 'an integer >= 2');
  checkPositiveIntegers(className, 'hiddenUnits', config.hiddenUnits);
  checkNumber(
    className,
    'latentDim',
    config.latentDim,
    (v) => Number.isInteger(v) && v >= 1,
    'a positive integer',
  );
  checkOneOf(className, 'activation', config.activation, ACTIVATIONS);
  checkNumber(className, 'dropout', config.dropout, (v) => v >= 0 && v < 1, 'a rate in [0, 1)');
  checkNumber(className, 'weightDecay', config.weightDecay, (v) => v >= 0, 'a number >= 0');
  if (config.seed !== undefined) checkNumber(className, 'seed', config.seed, () => true, 'a finite number');
}

export function resolveMultVAEConfig(config: Partial<MultVAEConfig> & { items: number }): MultVAEConfig {
  const resolved: MultVAEConfig = { ...MULT_VAE_DEFAULTS, ...config };
  checkMultinomialConfig('MultVAE', resolved);
  try {
    validateSchedule(resolved.klSchedule);
  } catch (error) {
    configError('MultVAE', `klSchedule: ${(error as Error).message}`);
  }
  return resolved;
}

export function resolveMultDAEConfig(config: Partial<MultDAEConfig> & { items: number }): MultDAEConfig {
  const resolved: MultDAEConfig = { ...MULT_DAE_DEFAULTS, ...config };
  checkMultinomialConfig('MultDAE', resolved);
  return resolved;
}
