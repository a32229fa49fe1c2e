/**
 * The options of AutoRec (see base/options.ts). Types only are imported: no tfjs. The defaults repeat
 * AUTOREC_DEFAULTS of autorec.config.ts (a test keeps them equal) and the tuned training of the README: full-batch
 * Rprop for 40 steps.
 */
import { type ModelOptionsDescription, OPTION_RANGES } from '../base/options';

export const AUTOREC_OPTIONS: ModelOptionsDescription = {
  className: 'AutoRec',
  name: 'autorec',
  title:
    'AutoRec (Sedhain et al. 2015): an autoencoder of partly observed rating rows, loss on observed ratings',
  family: 'recommender',
  options: [
    {
      name: 'kind',
      type: 'choice',
      placeholder: '<rows>',
      help: "'item' (I-AutoRec: a row per item, the paper's better variant) or 'user' (U-AutoRec)",
      default: 'item',
      choices: ['item', 'user'],
      config: 'kind',
    },
    {
      name: 'hidden',
      type: 'integer',
      placeholder: '<n>',
      help: 'hidden units (sigmoid)',
      default: 500,
      range: OPTION_RANGES.layerUnits,
      config: 'hiddenUnits',
    },
    {
      name: 'weightDecay',
      type: 'number',
      placeholder: '<lambda>',
      help: "the paper's lambda: (lambda / 2) |W|^2 over both kernels",
      default: 300,
      range: OPTION_RANGES.weight,
      config: 'weightDecay',
    },
    {
      name: 'epochs',
      type: 'integer',
      placeholder: '<n>',
      help: 'training steps: full-batch Rprop (one step per epoch) as tuned on MovieLens',
      default: 40,
      range: OPTION_RANGES.steps,
      fit: 'epochs',
    },
  ],
};
