/**
 * The options of a DB-VAE (see base/options.ts): the VAE's networks, observation model and KL weight, the class
 * that counts as positive, and the weight of the classification term. Types only are imported: no tfjs. The
 * debiasing itself (histogram bins, smoothing alpha) is a `fit` option (`epochSampler: debiasingSampler(...)`),
 * set by `vae debias`.
 */
import { type ModelOptionsDescription, OPTION_RANGES } from '../base/options';
import { checkKlOptions, elboModelOptions, VAE_DEFAULTS } from '../vae/vae.options';
import type { DBVAEConfig } from './db-vae.config';

/**
 * A 16-dimensional latent and a classification term weighted 100 against the reconstruction term (nats summed over
 * the pixels, hundreds per image), so the shared encoder learns the task as well as the images.
 */
export const DB_VAE_DEFAULTS: DBVAEConfig = /* @__PURE__ */ ((): DBVAEConfig => ({
  ...VAE_DEFAULTS,
  latentDim: 16,
  positiveClass: 1,
  classifierWeight: 100,
}))();

export const DB_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'DBVAE',
  name: 'db-vae',
  title:
    'Debiasing VAE (Amini et al. 2019): a binary classifier whose encoder is also a VAE on the positive class',
  family: 'vae',
  options: [
    // one sample of z per example: the classifier and the VAE share one pass of the encoder
    ...elboModelOptions(DB_VAE_DEFAULTS).filter((option) => option.name !== 'samples'),
    {
      name: 'positiveClass',
      type: 'integer',
      placeholder: '<label>',
      help: 'the label of the positive class (the VAE models it; other labels are negatives)',
      default: DB_VAE_DEFAULTS.positiveClass,
      range: { min: 0, max: 100_000 },
      config: 'positiveClass',
    },
    {
      name: 'classifierWeight',
      type: 'number',
      placeholder: '<weight>',
      help: 'weight of the classification cross-entropy against the VAE terms',
      default: DB_VAE_DEFAULTS.classifierWeight,
      range: OPTION_RANGES.weight,
      config: 'classifierWeight',
    },
  ],
  check: checkKlOptions,
}))();
