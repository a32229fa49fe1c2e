/**
 * The options of a deterministic autoencoder (see base/options.ts). The other autoencoders build on
 * `autoencoderOptions`. Types only are imported: no tfjs.
 */
import {
  ACTIVATION_NAMES,
  MODEL_DEFAULTS,
  type ModelOptionsDescription,
  OPTION_RANGES,
  type OptionDescription,
  sharedOptions,
} from '../base/options';
import type { AutoencoderConfig } from './autoencoder.config';

/** A one-hidden-layer undercomplete autoencoder for 28x28 images: 784 -> 64 (sigmoid) -> 784 (sigmoid). */
export const AUTOENCODER_DEFAULTS: AutoencoderConfig = /* @__PURE__ */ ((): AutoencoderConfig => ({
  ...MODEL_DEFAULTS,
  hiddenUnits: [],
  latentDim: 64,
  codeActivation: 'sigmoid',
  data: 'binary',
  weightDecay: 0,
}))();

/** The options every autoencoder adds: the code's activation (unless fixed) and the weight decay. */
export function autoencoderOptions(
  defaults: AutoencoderConfig,
  { codeActivation = true }: { codeActivation?: boolean } = {},
): OptionDescription[] {
  const code: OptionDescription = {
    name: 'codeActivation',
    type: 'choice',
    placeholder: '<name>',
    help: 'activation of the code',
    default: defaults.codeActivation,
    choices: ACTIVATION_NAMES,
    config: 'codeActivation',
  };
  const decay: OptionDescription = {
    name: 'weightDecay',
    type: 'number',
    placeholder: '<lambda>',
    help: 'L2 penalty on the kernels',
    default: defaults.weightDecay,
    range: OPTION_RANGES.weight,
    config: 'weightDecay',
  };
  return codeActivation ? [code, decay] : [decay];
}

export const AUTOENCODER_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'Autoencoder',
  name: 'autoencoder',
  title: 'Autoencoder: h = f(x), x_hat = g(h), cross-entropy or squared error',
  family: 'autoencoder',
  options: [...sharedOptions(AUTOENCODER_DEFAULTS), ...autoencoderOptions(AUTOENCODER_DEFAULTS)],
}))();
