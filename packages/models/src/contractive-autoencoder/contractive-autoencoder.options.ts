/** The options of a contractive autoencoder (see base/options.ts): the autoencoder's and the penalty's weight. */
import { AUTOENCODER_DEFAULTS, autoencoderOptions } from '../autoencoder/autoencoder.options';
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import type { ContractiveAutoencoderConfig } from './contractive-autoencoder.config';

/** The notes' case: one sigmoid layer h = sigmoid(W x + b), whose Jacobian norm has a closed form. */
export const CONTRACTIVE_AUTOENCODER_DEFAULTS: ContractiveAutoencoderConfig =
  /* @__PURE__ */ ((): ContractiveAutoencoderConfig => ({
    ...AUTOENCODER_DEFAULTS,
    hiddenUnits: [],
    latentDim: 256,
    codeActivation: 'sigmoid',
    contractiveWeight: 0.1,
  }))();

export const CONTRACTIVE_AUTOENCODER_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'ContractiveAutoencoder',
    name: 'contractive-autoencoder',
    title: 'Contractive autoencoder (Rifai et al. 2011): reconstruction plus lambda |J_x(h)|_F^2',
    family: 'autoencoder',
    options: [
      ...sharedOptions(CONTRACTIVE_AUTOENCODER_DEFAULTS),
      ...autoencoderOptions(CONTRACTIVE_AUTOENCODER_DEFAULTS),
      {
        name: 'contractiveWeight',
        type: 'number',
        placeholder: '<lambda>',
        help: 'weight of |J|_F^2',
        default: CONTRACTIVE_AUTOENCODER_DEFAULTS.contractiveWeight,
        range: OPTION_RANGES.weight,
        config: 'contractiveWeight',
      },
    ],
  }))();
