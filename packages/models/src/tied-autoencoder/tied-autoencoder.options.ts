/** The options of a tied autoencoder (see base/options.ts): dense layers only, so no network or filters. */
import { AUTOENCODER_DEFAULTS, autoencoderOptions } from '../autoencoder/autoencoder.options';
import { type ModelOptionsDescription, sharedOptions } from '../base/options';
import type { TiedAutoencoderConfig } from './tied-autoencoder.config';

export const TIED_AUTOENCODER_DEFAULTS: TiedAutoencoderConfig =
  /* @__PURE__ */ ((): TiedAutoencoderConfig => ({ ...AUTOENCODER_DEFAULTS }))();

export const TIED_AUTOENCODER_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'TiedAutoencoder',
    name: 'tied-autoencoder',
    title: "Tied autoencoder: the decoder uses the encoder's kernels transposed (W* = W^T)",
    family: 'autoencoder',
    options: [
      ...sharedOptions(TIED_AUTOENCODER_DEFAULTS, ['latentDim', 'hidden', 'activation']),
      ...autoencoderOptions(TIED_AUTOENCODER_DEFAULTS),
    ],
  }))();
