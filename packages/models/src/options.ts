/**
 * `@vae/models/options`: what every model of the registry lets a user set, without loading tfjs. Each model folder
 * describes its options (`<model>.options.ts`, format in base/options.ts); `MODEL_DESCRIPTIONS` lists them by class
 * name, in the order of `MODEL_REGISTRY` (a test keeps the two lists equal). The CLI's flags, its config-file schema,
 * the demo's controls and docs/models.md are generated from it.
 */
import { AUTOENCODER_OPTIONS } from './autoencoder/autoencoder.options';
import { AUTOREC_OPTIONS } from './autorec/autorec.options';
import type { ModelOptionsDescription } from './base/options';
import { BETA_TCVAE_OPTIONS } from './beta-tcvae/beta-tcvae.options';
import { BETA_VAE_OPTIONS } from './beta-vae/beta-vae.options';
import { CONDITIONAL_VAE_OPTIONS } from './conditional-vae/conditional-vae.options';
import { CONTRACTIVE_AUTOENCODER_OPTIONS } from './contractive-autoencoder/contractive-autoencoder.options';
import { DB_VAE_OPTIONS } from './db-vae/db-vae.options';
import { DENOISING_AUTOENCODER_OPTIONS } from './denoising-autoencoder/denoising-autoencoder.options';
import { DIP_VAE_OPTIONS } from './dip-vae/dip-vae.options';
import { FACTOR_VAE_OPTIONS } from './factor-vae/factor-vae.options';
import { INFO_VAE_OPTIONS } from './info-vae/info-vae.options';
import { IWAE_OPTIONS } from './iwae/iwae.options';
import { LINEAR_AUTOENCODER_OPTIONS } from './linear-autoencoder/linear-autoencoder.options';
import { M2_OPTIONS } from './m2/m2.options';
import { MULT_DAE_OPTIONS } from './mult-dae/mult-dae.options';
import { MULT_VAE_OPTIONS } from './mult-vae/mult-vae.options';
import { PRIOR_VAE_OPTIONS } from './prior-vae/prior-vae.options';
import { SPARSE_AUTOENCODER_OPTIONS } from './sparse-autoencoder/sparse-autoencoder.options';
import { TIED_AUTOENCODER_OPTIONS } from './tied-autoencoder/tied-autoencoder.options';
import { VAE_OPTIONS } from './vae/vae.options';
import { VQ_VAE_OPTIONS } from './vqvae/vqvae.options';

export {
  ACTIVATION_NAMES,
  applyModelOptions,
  checkModelOptionValues,
  checkOptionValue,
  describeOptionRange,
  type ModelOptionsDescription,
  OPTION_RANGES,
  type OptionDescription,
  type OptionEffect,
  type OptionRange,
  type OptionValue,
  type OptionValues,
  optionFlag,
  type SharedOptionName,
  sharedOptions,
} from './base/options';
export { KL_SCHEDULE_KINDS, klScheduleFromOptions } from './vae/vae.options';

/** Class name -> the model's option description, in the order of MODEL_REGISTRY. */
export const MODEL_DESCRIPTIONS = {
  Autoencoder: AUTOENCODER_OPTIONS,
  LinearAutoencoder: LINEAR_AUTOENCODER_OPTIONS,
  TiedAutoencoder: TIED_AUTOENCODER_OPTIONS,
  SparseAutoencoder: SPARSE_AUTOENCODER_OPTIONS,
  DenoisingAutoencoder: DENOISING_AUTOENCODER_OPTIONS,
  ContractiveAutoencoder: CONTRACTIVE_AUTOENCODER_OPTIONS,
  VAE: VAE_OPTIONS,
  BetaVAE: BETA_VAE_OPTIONS,
  ConditionalVAE: CONDITIONAL_VAE_OPTIONS,
  IWAE: IWAE_OPTIONS,
  BetaTCVAE: BETA_TCVAE_OPTIONS,
  FactorVAE: FACTOR_VAE_OPTIONS,
  DipVAE: DIP_VAE_OPTIONS,
  InfoVAE: INFO_VAE_OPTIONS,
  PriorVAE: PRIOR_VAE_OPTIONS,
  VQVAE: VQ_VAE_OPTIONS,
  DBVAE: DB_VAE_OPTIONS,
  M2: M2_OPTIONS,
} as const satisfies Record<string, ModelOptionsDescription>;

/**
 * Class name -> the option description of each recommender (`vae recommend`), in the order of RECOMMENDER_REGISTRY.
 * Their family is 'recommender': `vae train` does not offer them.
 */
export const RECOMMENDER_DESCRIPTIONS = {
  AutoRec: AUTOREC_OPTIONS,
  MultVAE: MULT_VAE_OPTIONS,
  MultDAE: MULT_DAE_OPTIONS,
} as const satisfies Record<string, ModelOptionsDescription>;

/** The description of a model by its command-line name (`vae`, `beta-vae`, ...), or undefined. */
export function describeModel(name: string): ModelOptionsDescription | undefined {
  return Object.values(MODEL_DESCRIPTIONS).find((description) => description.name === name);
}
