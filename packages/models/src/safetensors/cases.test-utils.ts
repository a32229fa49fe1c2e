/**
 * Test-only: one small model of every kind and architecture that is exchanged with PyTorch, for the safetensors
 * round trips and the parity tests against python/vae_torch. Colour inputs (3 channels) and conv trunks make
 * the channels-last / channels-first reordering matter.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelClassName, SavableModel } from '../registry';

export interface ExchangeCase {
  /** A short unique name. */
  name: string;
  className: ModelClassName;
  config: Record<string, unknown>;
  /** Inputs are binary-like values in [0, 1] ('unit') or any real numbers ('real'). */
  data: 'unit' | 'real';
}

const capacity = { kind: 'capacity', gamma: 10, maxCapacity: 5, steps: 100 };

export const EXCHANGE_CASES: ExchangeCase[] = [
  {
    name: 'autoencoder-mlp',
    className: 'Autoencoder',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 3, weightDecay: 0.01, seed: 1 },
    data: 'unit',
  },
  {
    name: 'autoencoder-conv-real',
    className: 'Autoencoder',
    config: {
      inputShape: [8, 8, 2],
      network: 'conv',
      filters: [3, 4],
      hiddenUnits: [5],
      latentDim: 3,
      data: 'real',
      codeActivation: 'tanh',
      seed: 2,
    },
    data: 'real',
  },
  {
    name: 'linear-autoencoder',
    className: 'LinearAutoencoder',
    config: { inputShape: [3, 3, 2], latentDim: 2, seed: 3 },
    data: 'real',
  },
  {
    name: 'tied-autoencoder',
    className: 'TiedAutoencoder',
    config: { inputShape: [2, 2, 3], hiddenUnits: [6], latentDim: 3, decoderActivation: 'tanh', seed: 4 },
    data: 'unit',
  },
  {
    name: 'sparse-autoencoder-kl',
    className: 'SparseAutoencoder',
    config: { inputShape: [4, 4, 1], latentDim: 5, sparsity: 'kl', rho: 0.1, sparsityWeight: 0.5, seed: 5 },
    data: 'unit',
  },
  {
    name: 'sparse-autoencoder-l1',
    className: 'SparseAutoencoder',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 5,
      sparsity: 'l1',
      codeActivation: 'relu',
      sparsityWeight: 0.3,
      seed: 6,
    },
    data: 'unit',
  },
  {
    name: 'denoising-autoencoder-masking',
    className: 'DenoisingAutoencoder',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 3,
      noise: 'masking',
      noiseLevel: 0.3,
      seed: 7,
    },
    data: 'unit',
  },
  {
    name: 'denoising-autoencoder-gaussian',
    className: 'DenoisingAutoencoder',
    config: {
      inputShape: [8],
      latentDim: 3,
      noise: 'gaussian',
      noiseLevel: 0.2,
      data: 'real',
      codeActivation: 'linear',
      seed: 8,
    },
    data: 'real',
  },
  {
    name: 'contractive-autoencoder',
    className: 'ContractiveAutoencoder',
    config: { inputShape: [4, 4, 1], latentDim: 4, contractiveWeight: 0.2, seed: 9 },
    data: 'unit',
  },
  {
    name: 'contractive-autoencoder-deep',
    className: 'ContractiveAutoencoder',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 3,
      activation: 'relu',
      codeActivation: 'relu',
      contractiveWeight: 0.1,
      seed: 10,
    },
    data: 'unit',
  },
  {
    name: 'vae-mlp',
    className: 'VAE',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 2, seed: 11 },
    data: 'unit',
  },
  {
    name: 'vae-conv',
    className: 'VAE',
    config: {
      inputShape: [8, 8, 1],
      network: 'conv',
      filters: [3, 4],
      hiddenUnits: [5],
      latentDim: 2,
      seed: 12,
    },
    data: 'unit',
  },
  {
    name: 'vae-gaussian-fixed',
    className: 'VAE',
    config: {
      inputShape: [2, 2, 3],
      hiddenUnits: [5, 4],
      latentDim: 2,
      likelihood: 'gaussian',
      variance: 0.5,
      samples: 3,
      activation: 'tanh',
      seed: 13,
    },
    data: 'unit',
  },
  {
    name: 'vae-gaussian-learned-conv',
    className: 'VAE',
    config: {
      inputShape: [4, 4, 3],
      network: 'conv',
      filters: [3],
      kernelSize: 3,
      hiddenUnits: [],
      latentDim: 2,
      likelihood: 'gaussian',
      variance: 'learned',
      minLogVar: -3,
      meanActivation: 'linear',
      seed: 14,
    },
    data: 'real',
  },
  {
    name: 'beta-vae-capacity',
    className: 'BetaVAE',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 3, capacity, seed: 15 },
    data: 'unit',
  },
  {
    name: 'beta-vae',
    className: 'BetaVAE',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 3,
      beta: 4,
      activation: 'sigmoid',
      seed: 16,
    },
    data: 'unit',
  },
  {
    name: 'conditional-vae',
    className: 'ConditionalVAE',
    config: { inputShape: [2, 2, 3], hiddenUnits: [6], latentDim: 2, numClasses: 3, seed: 17 },
    data: 'unit',
  },
  {
    name: 'conditional-vae-conv',
    className: 'ConditionalVAE',
    config: {
      inputShape: [8, 8, 1],
      network: 'conv',
      filters: [3, 4],
      hiddenUnits: [5],
      latentDim: 2,
      numClasses: 3,
      seed: 18,
    },
    data: 'unit',
  },
  {
    name: 'iwae',
    className: 'IWAE',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 2, importanceSamples: 4, seed: 19 },
    data: 'unit',
  },
  {
    name: 'iwae-gaussian',
    className: 'IWAE',
    config: {
      inputShape: [2, 2, 3],
      hiddenUnits: [5],
      latentDim: 2,
      importanceSamples: 3,
      likelihood: 'gaussian',
      variance: 'learned',
      seed: 20,
    },
    data: 'real',
  },
  // the second wave
  {
    name: 'beta-tcvae',
    className: 'BetaTCVAE',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 3,
      alpha: 0.5,
      beta: 6,
      gamma: 2,
      seed: 21,
    },
    data: 'unit',
  },
  {
    name: 'beta-tcvae-mss',
    className: 'BetaTCVAE',
    config: {
      inputShape: [2, 2, 3],
      hiddenUnits: [5],
      latentDim: 2,
      estimator: 'mss',
      datasetSize: 1000,
      likelihood: 'gaussian',
      variance: 0.5,
      seed: 22,
    },
    data: 'unit',
  },
  {
    name: 'dip-vae-i',
    className: 'DipVAE',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 3, lambdaOffDiagonal: 2, seed: 23 },
    data: 'unit',
  },
  {
    name: 'dip-vae-ii-conv',
    className: 'DipVAE',
    config: {
      inputShape: [8, 8, 1],
      network: 'conv',
      filters: [3, 4],
      hiddenUnits: [5],
      latentDim: 2,
      dipType: 'ii',
      lambdaOffDiagonal: 1,
      lambdaDiagonal: 3,
      seed: 24,
    },
    data: 'unit',
  },
  {
    name: 'info-vae',
    className: 'InfoVAE',
    config: { inputShape: [4, 4, 1], hiddenUnits: [6], latentDim: 3, seed: 25 },
    data: 'unit',
  },
  {
    name: 'info-vae-rbf',
    className: 'InfoVAE',
    config: {
      inputShape: [2, 2, 3],
      hiddenUnits: [5],
      latentDim: 2,
      alpha: 0.5,
      lambda: 2,
      kernel: 'rbf',
      bandwidth: 1.5,
      kernelScales: [1, 2],
      likelihood: 'gaussian',
      variance: 'learned',
      seed: 26,
    },
    data: 'real',
  },
  {
    name: 'prior-vae-mixture',
    className: 'PriorVAE',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 2,
      prior: 'mixture',
      components: 3,
      seed: 27,
    },
    data: 'unit',
  },
  {
    name: 'prior-vae-vamp',
    className: 'PriorVAE',
    config: {
      inputShape: [2, 2, 3],
      hiddenUnits: [5],
      latentDim: 2,
      prior: 'vamp',
      components: 4,
      samples: 2,
      seed: 28,
    },
    data: 'unit',
  },
  {
    name: 'factor-vae',
    className: 'FactorVAE',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      latentDim: 3,
      gamma: 3,
      discriminatorUnits: [5, 4],
      seed: 29,
    },
    data: 'unit',
  },
  {
    name: 'vqvae',
    className: 'VQVAE',
    config: {
      inputShape: [4, 4, 1],
      hiddenUnits: [6],
      positions: 2,
      embeddingDim: 2,
      codebookSize: 5,
      seed: 30,
    },
    data: 'unit',
  },
  {
    name: 'vqvae-ema-autoregressive-conv',
    className: 'VQVAE',
    config: {
      inputShape: [8, 8, 3],
      network: 'conv',
      filters: [3, 4],
      hiddenUnits: [5],
      positions: 3,
      embeddingDim: 2,
      codebookSize: 4,
      codebookUpdate: 'ema',
      codePrior: 'autoregressive',
      likelihood: 'gaussian',
      variance: 0.5,
      meanActivation: 'linear',
      seed: 31,
    },
    data: 'real',
  },
  {
    name: 'db-vae',
    className: 'DBVAE',
    config: { inputShape: [2, 2, 3], hiddenUnits: [5], latentDim: 2, classifierWeight: 3, beta: 2, seed: 32 },
    data: 'unit',
  },
];

/** Gives every variable (biases and buffers included) seeded random values, so that no layout hides behind 0. */
export function randomizeVariables(model: SavableModel, seed: number, scale = 0.4): void {
  Object.values(model.variables).forEach((variable, i) => {
    tf.tidy(() => variable.assign(tf.randomNormal(variable.shape, 0, scale, 'float32', seed * 1000 + i)));
  });
}
