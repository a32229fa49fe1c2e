/**
 * The models `vae train` builds: their command-line names (kebab case of the registry names) and how options become
 * a model config and `fit` options. Both come from each model's option description (`@vae/models/options`); this
 * file adds what needs the data set (its shape, its classes) and the checks of the libraries.
 */
import { type KlSchedule, validateSchedule } from '@vae/core';
import { type AnyModel, MODEL_REGISTRY, type ModelClassName, VAE } from '@vae/models';
import { applyModelOptions } from '@vae/models/options';
import { MODEL_NAMES, type ModelName } from './choices';
import { CliError, EXIT } from './errors';
import { descriptionOf, type ModelOptions, modelOptionValues } from './model-options';

export { MODEL_CHOICES, MODEL_NAMES, type ModelName } from './choices';
export { checkModelOptions, MODEL_OPTIONS, type ModelOptionName, type ModelOptions } from './model-options';

/** The KL schedule for `fit` from --kl-schedule and its parameters; undefined for the model's own weight. */
export function klScheduleOf(options: ModelOptions): KlSchedule | undefined {
  const { fit } = applyModelOptions(descriptionOf(options.model), modelOptionValues(options));
  if (fit.klSchedule === undefined) return undefined;
  try {
    return validateSchedule(fit.klSchedule);
  } catch (error) {
    throw new CliError(`--kl-schedule: ${(error as Error).message.split('\n')[0]}`, EXIT.usage);
  }
}

/**
 * The model config (fields of the model's *.config.ts) for the given options and data: the fields the options
 * map to, the data's input shape, the seed, the latent size and hidden layers (the model's defaults unless given:
 * the size checks read them), and values taken from the data set (`fromData`, e.g. a conditional model's classes).
 */
export function modelConfigOf(
  options: ModelOptions,
  data: { inputShape: number[]; classes?: number },
  seed: number,
): Record<string, unknown> {
  const description = descriptionOf(options.model);
  const defaultOf = (name: string) => description.options.find((o) => o.name === name)?.default;
  const config: Record<string, unknown> = {
    inputShape: data.inputShape,
    latentDim: defaultOf('latentDim'),
    // a model without the --hidden option has no hidden layers
    hiddenUnits: defaultOf('hidden') ?? [],
    seed,
    ...applyModelOptions(description, modelOptionValues(options)).config,
  };
  for (const option of description.options) {
    if (option.fromData !== 'classes' || options[option.name] !== undefined) continue;
    if (data.classes === undefined) {
      throw new CliError(
        `${options.model} needs class labels: the data set has none. Use a labelled data set (mnist, fashion-mnist, cifar-10).`,
        EXIT.usage,
      );
    }
    config[option.config ?? option.name] = data.classes;
  }
  return config;
}

/** Builds a model; a config the model rejects becomes a one-line usage error naming the field. */
export function buildModel(name: ModelName, config: Record<string, unknown>): AnyModel {
  const Class = MODEL_REGISTRY[MODEL_NAMES[name] as ModelClassName] as unknown as new (
    c: Record<string, unknown>,
  ) => AnyModel;
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
