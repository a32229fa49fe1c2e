/** The options of a conditional VAE (see base/options.ts): the VAE's and the number of classes. */
import { type ModelOptionsDescription, OPTION_RANGES, type OptionDescription } from '../base/options';
import { checkKlOptions, elboModelOptions, VAE_DEFAULTS } from '../vae/vae.options';
import type { ConditionalVAEConfig } from './conditional-vae.config';

export const CONDITIONAL_VAE_DEFAULTS: ConditionalVAEConfig = /* @__PURE__ */ ((): ConditionalVAEConfig => ({
  ...VAE_DEFAULTS,
  numClasses: 10,
}))();

/** The number of classes of a model conditioned on labels (config `numClasses`), by default the data set's. */
export const NUM_CLASSES_OPTION: OptionDescription = {
  name: 'numClasses',
  type: 'integer',
  placeholder: '<n>',
  help: 'classes',
  defaultText: "the data set's",
  fromData: 'classes',
  range: OPTION_RANGES.classes,
  config: 'numClasses',
};

export const CONDITIONAL_VAE_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'ConditionalVAE',
    name: 'conditional-vae',
    title: 'Conditional VAE (Sohn et al. 2015): encoder and decoder both see a one-hot class label',
    family: 'vae',
    options: [...elboModelOptions(CONDITIONAL_VAE_DEFAULTS), NUM_CLASSES_OPTION],
    check: checkKlOptions,
  }))();
