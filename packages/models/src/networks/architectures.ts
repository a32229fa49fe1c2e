/**
 * Ready architectures for common image sizes, as partial configs to spread into any model's config:
 * `new VAE({ ...architecture('cifar-conv'), latentDim: 32 })`. Convolutional ones halve the resolution with each
 * stride-2 layer (core's `convBlock`, kernel 4) and mirror it with transposed convolutions in the decoder.
 */
import type { ModelConfig } from '../base/config';

export type ArchitectureName =
  | 'mnist-mlp'
  | 'mnist-conv'
  | 'cifar-mlp'
  | 'cifar-conv'
  | 'image64-mlp'
  | 'image64-conv';

export type Architecture = Pick<
  ModelConfig,
  'inputShape' | 'network' | 'hiddenUnits' | 'filters' | 'kernelSize' | 'activation'
>;

export const ARCHITECTURES: Readonly<Record<ArchitectureName, Architecture>> = {
  /** 28x28 grayscale (MNIST, Fashion-MNIST): the PyTorch example's 784-400 MLP. */
  'mnist-mlp': {
    inputShape: [28, 28, 1],
    network: 'mlp',
    hiddenUnits: [400],
    filters: [32, 64],
    kernelSize: 4,
    activation: 'relu',
  },
  /** 28x28 grayscale: 28 -> 14 -> 7 with 32 and 64 filters, then 256 dense units. */
  'mnist-conv': {
    inputShape: [28, 28, 1],
    network: 'conv',
    hiddenUnits: [256],
    filters: [32, 64],
    kernelSize: 4,
    activation: 'relu',
  },
  /** 32x32 colour (CIFAR-10, SVHN): 3072 -> 1024 -> 256. */
  'cifar-mlp': {
    inputShape: [32, 32, 3],
    network: 'mlp',
    hiddenUnits: [1024, 256],
    filters: [32, 64],
    kernelSize: 4,
    activation: 'relu',
  },
  /** 32x32 colour: 32 -> 16 -> 8 -> 4 with 32, 64 and 128 filters, then 256 dense units. */
  'cifar-conv': {
    inputShape: [32, 32, 3],
    network: 'conv',
    hiddenUnits: [256],
    filters: [32, 64, 128],
    kernelSize: 4,
    activation: 'relu',
  },
  /** 64x64 grayscale (dSprites): the 1200-1200 MLP of Higgins et al. */
  'image64-mlp': {
    inputShape: [64, 64, 1],
    network: 'mlp',
    hiddenUnits: [1200, 1200],
    filters: [32, 64],
    kernelSize: 4,
    activation: 'relu',
  },
  /** 64x64 (dSprites, CelebA crops): Burgess et al.'s 4 layers of 32, 32, 64, 64 filters (64 -> 4), then 256 units. */
  'image64-conv': {
    inputShape: [64, 64, 1],
    network: 'conv',
    hiddenUnits: [256],
    filters: [32, 32, 64, 64],
    kernelSize: 4,
    activation: 'relu',
  },
};

/**
 * A ready architecture as a partial config (a copy), with `channels` for the 64x64 ones (1 by default; 3 for
 * colour).
 */
export function architecture(name: ArchitectureName, options: { channels?: number } = {}): Architecture {
  const found = ARCHITECTURES[name];
  if (!found) {
    throw new Error(
      `architecture: unknown name '${name}'; use one of ${Object.keys(ARCHITECTURES).join(', ')}.`,
    );
  }
  const copy: Architecture = JSON.parse(JSON.stringify(found));
  if (options.channels !== undefined) {
    if (!Number.isInteger(options.channels) || options.channels < 1) {
      throw new Error(`architecture: channels must be a positive integer, got ${options.channels}.`);
    }
    copy.inputShape[2] = options.channels;
  }
  return copy;
}
