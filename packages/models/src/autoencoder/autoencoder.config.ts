import { ACTIVATIONS, type Activation } from '@vae/core';
import { checkModelConfig, checkNumber, checkOneOf, type ModelConfig } from '../base/config';
import { AUTOENCODER_DEFAULTS } from './autoencoder.options';

/** Configuration of a deterministic autoencoder h = f(x), x_hat = g(h). Plain JSON: it is saved with the model. */
export interface AutoencoderConfig extends ModelConfig {
  /** Activation of the code h (the notes' g: typically sigmoid). */
  codeActivation: Activation;
  /**
   * The kind of data, which fixes the output layer and the loss as the notes prescribe: 'binary' (x in [0, 1]):
   * sigmoid output and cross-entropy; 'real': linear output and squared error.
   */
  data: 'binary' | 'real';
  /** lambda of the L2 weight penalty lambda * |W|^2 over the kernels (not the biases). 0: none. */
  weightDecay: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { AUTOENCODER_DEFAULTS };

/** Checks the fields an autoencoder adds to `ModelConfig`. */
export function checkAutoencoderConfig(className: string, config: AutoencoderConfig): void {
  checkModelConfig(className, config);
  checkOneOf(className, 'codeActivation', config.codeActivation, ACTIVATIONS);
  checkOneOf(className, 'data', config.data, ['binary', 'real'] as const);
  checkNumber(className, 'weightDecay', config.weightDecay, (v) => v >= 0, 'a number >= 0');
}

export function resolveAutoencoderConfig(config: Partial<AutoencoderConfig> = {}): AutoencoderConfig {
  const resolved: AutoencoderConfig = { ...AUTOENCODER_DEFAULTS, ...config };
  checkAutoencoderConfig('Autoencoder', resolved);
  return resolved;
}
