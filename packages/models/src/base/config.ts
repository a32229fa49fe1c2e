/**
 * The configuration every model shares (input shape, latent size, encoder and decoder architecture, seed) and the
 * checks behind it. Configs are plain JSON: they are saved with the model and extended by each model's own config.
 */
import { ACTIVATIONS, type Activation } from '@vae/core';

/** A tfjs Layers model written as JSON (`{ className, config }` from `model.getConfig()`), saved in a config. */
export interface SerializedNetwork {
  className: string;
  config: Record<string, unknown>;
}

/** How the built-in encoder and decoder are made. */
export type NetworkKind = 'mlp' | 'conv';

export interface ModelConfig {
  /** Shape of one input example, e.g. [28, 28, 1]. Inputs may also be given as flat rows. */
  inputShape: number[];
  /** Dense hidden layer sizes of the encoder (after the convolutions for 'conv'); the decoder mirrors them. */
  hiddenUnits: number[];
  /** Size of the code (deterministic autoencoders) or of the latent variable z (VAEs). */
  latentDim: number;
  /** Activation of the hidden layers. */
  activation: Activation;
  /**
   * 'mlp': dense layers on the flattened input. 'conv': strided convolutions (`convBlock` of @vae/core, kernel
   * `kernelSize`, stride 2) with `filters`, then the dense layers; the decoder mirrors it with transposed
   * convolutions. Images of [height, width, channels] whose height and width divide by 2^filters.length.
   */
  network: NetworkKind;
  /** Filters of the convolutional layers ('conv' only), e.g. [32, 64]. */
  filters: number[];
  /** Kernel size of the convolutions ('conv' only). */
  kernelSize: number;
  /**
   * User-supplied encoder and/or decoder (tfjs Layers models), stored as JSON. Filled in from the models passed
   * to the constructor; takes the place of the built-in network it names.
   */
  layers?: { encoder?: SerializedNetwork; decoder?: SerializedNetwork };
  /** Seed of the weight initializers; omit for random ones. */
  seed?: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { MODEL_DEFAULTS } from './options';

/** Throws an error naming the model class and the field. */
export function configError(className: string, message: string): never {
  throw new Error(`${className} config: ${message}`);
}

export function checkPositiveIntegers(
  className: string,
  name: string,
  values: unknown,
  allowEmpty = true,
): void {
  if (
    !Array.isArray(values) ||
    (!allowEmpty && values.length === 0) ||
    values.some((v) => !Number.isInteger(v) || v < 1)
  ) {
    configError(className, `${name} must be a list of positive integers, got ${JSON.stringify(values)}.`);
  }
}

export function checkNumber(
  className: string,
  name: string,
  value: unknown,
  check: (v: number) => boolean,
  expected: string,
): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    configError(className, `${name} must be ${expected}, got ${JSON.stringify(value)}.`);
  }
}

export function checkOneOf<T extends string>(
  className: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
): void {
  if (!allowed.includes(value as T)) {
    configError(
      className,
      `${name} '${value}' is not supported; use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
    );
  }
}

/** Checks the fields of `ModelConfig` (shared by every model). */
export function checkModelConfig(className: string, config: ModelConfig): void {
  checkPositiveIntegers(className, 'inputShape', config.inputShape, false);
  checkPositiveIntegers(className, 'hiddenUnits', config.hiddenUnits);
  if (!Number.isInteger(config.latentDim) || config.latentDim < 1) {
    configError(className, `latentDim must be a positive integer, got ${config.latentDim}.`);
  }
  checkOneOf(className, 'activation', config.activation, ACTIVATIONS);
  checkOneOf(className, 'network', config.network, ['mlp', 'conv'] as const);
  if (config.seed !== undefined) checkNumber(className, 'seed', config.seed, () => true, 'a finite number');
  if (config.network === 'conv' && config.layers?.encoder === undefined) checkConvGeometry(className, config);
  if (config.network === 'conv' && config.layers?.decoder === undefined) checkConvGeometry(className, config);
  for (const side of ['encoder', 'decoder'] as const) {
    const network = config.layers?.[side];
    if (
      network !== undefined &&
      (typeof network.className !== 'string' || typeof network.config !== 'object')
    ) {
      configError(
        className,
        `layers.${side} must be { className, config } from a tfjs Layers model's getConfig().`,
      );
    }
  }
}

function checkConvGeometry(className: string, config: ModelConfig): void {
  checkPositiveIntegers(className, 'filters', config.filters, false);
  if (!Number.isInteger(config.kernelSize) || config.kernelSize < 1) {
    configError(className, `kernelSize must be a positive integer, got ${config.kernelSize}.`);
  }
  const shape = config.inputShape;
  if (shape.length !== 3) {
    configError(
      className,
      `network 'conv' needs images: inputShape [height, width, channels], got [${shape}]. Use network 'mlp'.`,
    );
  }
  const factor = 2 ** config.filters.length;
  if (shape[0] % factor !== 0 || shape[1] % factor !== 0) {
    configError(
      className,
      `network 'conv' halves height and width ${config.filters.length} times (one per filter count), so they must ` +
        `divide by ${factor}; inputShape is [${shape}]. Use fewer filters or pad the images.`,
    );
  }
}
