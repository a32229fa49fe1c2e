/**
 * The choices of the command-line flags, free of tfjs so that parsing flags (and --help) stays fast: the models come
 * from their option descriptions in `@vae/models/options` (which loads no tfjs), the rest is listed here. The
 * libraries check the values again: a list here that falls behind gives a clear library error, not a crash.
 */
import { ACTIVATION_NAMES, MODEL_DESCRIPTIONS } from '@vae/models/options';

/** A model's command-line name (kebab case of its registry name), e.g. 'beta-vae'. */
export type ModelName = string;

/** The models of @vae/models by their command-line names, in registry order: name -> class name. */
export const MODEL_NAMES: Readonly<Record<ModelName, string>> = Object.fromEntries(
  Object.values(MODEL_DESCRIPTIONS).map((description) => [description.name, description.className]),
);

export const MODEL_CHOICES: ModelName[] = Object.keys(MODEL_NAMES);

/** Activations of @vae/core (ACTIVATIONS), from @vae/models/options so that parsing flags loads no tfjs. */
export const ACTIVATION_CHOICES: string[] = [...ACTIVATION_NAMES];

/** tfjs backends the CLI can start (see backend.ts). */
export const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Data sets: @vae/data's DATASET_NAMES and the procedural dSprites (see shared.ts). */
export const CLI_DATASETS = [
  'mnist',
  'fashion-mnist',
  'kmnist',
  'frey-face',
  'cifar-10',
  'dsprites',
] as const;
