/** The options of a sparse autoencoder (see base/options.ts): the autoencoder's and the sparsity penalty. */
import { AUTOENCODER_DEFAULTS, autoencoderOptions } from '../autoencoder/autoencoder.options';
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import type { SparseAutoencoderConfig } from './sparse-autoencoder.config';

/** An overcomplete sparse autoencoder for 28x28 images: 784 -> 1024 sigmoid units with mean activation 0.05. */
export const SPARSE_AUTOENCODER_DEFAULTS: SparseAutoencoderConfig =
  /* @__PURE__ */ ((): SparseAutoencoderConfig => ({
    ...AUTOENCODER_DEFAULTS,
    latentDim: 1024,
    codeActivation: 'sigmoid',
    sparsity: 'kl',
    rho: 0.05,
    sparsityWeight: 1,
  }))();

export const SPARSE_AUTOENCODER_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'SparseAutoencoder',
    name: 'sparse-autoencoder',
    title: 'Sparse autoencoder: reconstruction plus a KL or L1 sparsity penalty on the code',
    family: 'autoencoder',
    options: [
      ...sharedOptions(SPARSE_AUTOENCODER_DEFAULTS),
      ...autoencoderOptions(SPARSE_AUTOENCODER_DEFAULTS),
      {
        name: 'sparsity',
        type: 'choice',
        placeholder: '<kind>',
        help: 'the penalty',
        default: SPARSE_AUTOENCODER_DEFAULTS.sparsity,
        choices: ['kl', 'l1'],
        config: 'sparsity',
      },
      {
        name: 'sparsityTarget',
        type: 'number',
        placeholder: '<rho>',
        help: 'target mean activation rho (kl)',
        default: SPARSE_AUTOENCODER_DEFAULTS.rho,
        range: OPTION_RANGES.probability,
        config: 'rho',
      },
      {
        name: 'sparsityWeight',
        type: 'number',
        placeholder: '<w>',
        help: 'weight of the penalty',
        default: SPARSE_AUTOENCODER_DEFAULTS.sparsityWeight,
        range: OPTION_RANGES.weight,
        config: 'sparsityWeight',
      },
    ],
  }))();
