/**
 * The models `vae train` builds: their command-line names (kebab case of the registry names), which options apply
 * to each, and how options become a model config (the field names of each model's *.config.ts).
 */
import { type KlSchedule, validateSchedule } from '@vae/core';
import {
  type AnyModel,
  AUTOENCODER_DEFAULTS,
  BETA_VAE_DEFAULTS,
  CONDITIONAL_VAE_DEFAULTS,
  CONTRACTIVE_AUTOENCODER_DEFAULTS,
  DENOISING_AUTOENCODER_DEFAULTS,
  IWAE_DEFAULTS,
  LINEAR_AUTOENCODER_DEFAULTS,
  MODEL_REGISTRY,
  type ModelClassName,
  SPARSE_AUTOENCODER_DEFAULTS,
  TIED_AUTOENCODER_DEFAULTS,
  VAE,
  VAE_DEFAULTS,
} from '@vae/models';
import { MODEL_NAMES, type ModelName } from './choices';
import { CliError, EXIT } from './errors';
import type { ModelOptions } from './model-options';

export { MODEL_CHOICES, MODEL_NAMES, type ModelName } from './choices';

// every command-line name names a class of the registry
const _registered: Record<ModelName, ModelClassName> = MODEL_NAMES;
void _registered;

const DEFAULTS: Record<ModelName, { latentDim: number; hiddenUnits: number[] }> = {
  autoencoder: AUTOENCODER_DEFAULTS,
  'linear-autoencoder': LINEAR_AUTOENCODER_DEFAULTS,
  'tied-autoencoder': TIED_AUTOENCODER_DEFAULTS,
  'sparse-autoencoder': SPARSE_AUTOENCODER_DEFAULTS,
  'denoising-autoencoder': DENOISING_AUTOENCODER_DEFAULTS,
  'contractive-autoencoder': CONTRACTIVE_AUTOENCODER_DEFAULTS,
  vae: VAE_DEFAULTS,
  'beta-vae': BETA_VAE_DEFAULTS,
  'conditional-vae': CONDITIONAL_VAE_DEFAULTS,
  iwae: IWAE_DEFAULTS,
};

export { checkModelOptions, MODEL_OPTIONS, type ModelOptionName, type ModelOptions } from './model-options';

/** The KL schedule for `fit` from --kl-schedule and its parameters; undefined for the model's own weight. */
export function klScheduleOf(options: ModelOptions): KlSchedule | undefined {
  const kind = options.klSchedule;
  if (kind === undefined) return undefined;
  const beta = options.beta ?? (options.model === 'beta-vae' ? BETA_VAE_DEFAULTS.beta : 1);
  const needSteps = () => {
    if (options.klSteps === undefined) {
      throw new CliError(`--kl-schedule ${kind} needs --kl-steps <n> (optimizer steps).`, EXIT.usage);
    }
    return options.klSteps;
  };
  let schedule: KlSchedule;
  if (kind === 'constant') schedule = { kind, value: beta };
  else if (kind === 'linear') {
    schedule = {
      kind,
      from: options.klFrom ?? 0,
      to: options.klTo ?? beta,
      steps: needSteps(),
      delay: options.klDelay ?? 0,
    };
  } else if (kind === 'cosine') {
    schedule = { kind, from: options.klFrom ?? 0, to: options.klTo ?? beta, steps: needSteps() };
  } else {
    schedule = {
      kind,
      period: needSteps(),
      min: options.klFrom ?? 0,
      max: options.klTo ?? beta,
      rampFraction: options.klRamp ?? 0.5,
      ...(options.klCycles === undefined ? {} : { cycles: options.klCycles }),
    };
  }
  if (kind !== 'cyclical' && options.klRamp !== undefined) {
    throw new CliError('--kl-ramp applies to --kl-schedule cyclical only.', EXIT.usage);
  }
  if (kind !== 'cyclical' && options.klCycles !== undefined) {
    throw new CliError('--kl-cycles applies to --kl-schedule cyclical only.', EXIT.usage);
  }
  if (kind !== 'linear' && options.klDelay !== undefined) {
    throw new CliError('--kl-delay applies to --kl-schedule linear only.', EXIT.usage);
  }
  try {
    return validateSchedule(schedule);
  } catch (error) {
    throw new CliError(`--kl-schedule: ${(error as Error).message.split('\n')[0]}`, EXIT.usage);
  }
}

/** The model config (fields of the model's *.config.ts) for the given options and data. */
export function modelConfigOf(
  options: ModelOptions,
  data: { inputShape: number[]; classes?: number },
  seed: number,
): Record<string, unknown> {
  const m = options.model;
  const defaults = DEFAULTS[m];
  const config: Record<string, unknown> = {
    inputShape: data.inputShape,
    latentDim: options.latentDim ?? defaults.latentDim,
    hiddenUnits: options.hidden ?? defaults.hiddenUnits,
    seed,
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) config[key] = value;
  };
  set('activation', options.activation);
  set('network', options.network);
  set('filters', options.filters);
  set('codeActivation', options.codeActivation);
  set('weightDecay', options.weightDecay);
  set('noise', options.noise);
  set('noiseLevel', options.noiseLevel);
  set('sparsity', options.sparsity);
  set('rho', options.sparsityTarget);
  set('sparsityWeight', options.sparsityWeight);
  set('contractiveWeight', options.contractiveWeight);
  set('samples', options.samples);
  set('beta', options.beta);
  set('importanceSamples', options.k);
  if (options.decoder === 'gaussian') {
    config.likelihood = 'gaussian';
    config.variance = options.variance ?? 1;
  } else if (options.decoder === 'gaussian-learned') {
    config.likelihood = 'gaussian';
    config.variance = 'learned';
  } else if (options.decoder === 'bernoulli') config.likelihood = 'bernoulli';
  if (options.capacity !== undefined) {
    config.capacity = {
      kind: 'capacity',
      gamma: options.capacityGamma ?? 1000,
      maxCapacity: options.capacity,
      steps: options.capacitySteps ?? 100_000,
    };
  }
  if (m === 'conditional-vae') {
    const classes = options.numClasses ?? data.classes;
    if (classes === undefined) {
      throw new CliError(
        'conditional-vae needs class labels: the data set has none. Use a labelled data set (mnist, fashion-mnist, cifar-10).',
        EXIT.usage,
      );
    }
    config.numClasses = classes;
  }
  return config;
}

/** Builds a model; a config the model rejects becomes a one-line usage error naming the field. */
export function buildModel(name: ModelName, config: Record<string, unknown>): AnyModel {
  const Class = MODEL_REGISTRY[MODEL_NAMES[name]] as unknown as new (c: Record<string, unknown>) => AnyModel;
  try {
    return new Class(config);
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]}`, EXIT.usage);
  }
}

/** The command-line name of a model's class. */
export function modelNameOf(model: { className: string }): string {
  const entry = Object.entries(MODEL_NAMES).find(([, className]) => className === model.className);
  return entry ? entry[0] : model.className;
}

/** True for models with a prior and a probabilistic decoder (the VAE family): ELBO, sampling, manifold. */
export function isProbabilistic(model: AnyModel): model is VAE {
  return model instanceof VAE;
}
