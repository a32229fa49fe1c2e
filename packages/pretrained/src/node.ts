/** Loading the pretrained models in Node from the installed package (no network). */
import { fileURLToPath } from 'node:url';
import type { ModelClass, SavedModel } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import { cardOf, fromPretrained as fromUrl, type PretrainedOptions } from './index';

export * from './index';

/** The folder of the installed package that holds the models' folders (`<folder>/<name>/model.json`). */
export const PRETRAINED_DIRECTORY = fileURLToPath(new URL('../models/', import.meta.url));

/** The folder of one pretrained model in the installed package. */
export function pretrainedDirectory(name: string): string {
  cardOf(name, 'pretrainedDirectory');
  return fileURLToPath(new URL(`../models/${name}/`, import.meta.url));
}

/**
 * Loads a pretrained model from the installed package (or from `baseUrl` when given), its weights pinned to the
 * SHA-256 on its card, with every check of `loadModelFromDirectory`. `{ as: VAE }` types the result.
 */
export async function fromPretrained<M>(
  name: string,
  options: PretrainedOptions & { as: ModelClass<M> },
): Promise<M>;
export async function fromPretrained(name: string, options?: PretrainedOptions): Promise<SavedModel>;
export async function fromPretrained(
  name: string,
  options: PretrainedOptions & { as?: ModelClass<unknown> } = {},
): Promise<unknown> {
  if (options.baseUrl !== undefined) {
    return fromUrl(name, options as PretrainedOptions & { baseUrl: string | URL });
  }
  const card = cardOf(name, 'fromPretrained');
  return loadModelFromDirectory(pretrainedDirectory(name), {
    ...options,
    weightsSha256: card.weights.sha256,
  } as PretrainedOptions);
}
