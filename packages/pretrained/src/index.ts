/**
 * Pretrained models with model cards, loaded in one line. In a browser (or anywhere with fetch) from the URL where
 * the package's `models/` folder is served: `fromPretrained('mnist-vae-20d', { baseUrl: '/pretrained/' })`. In
 * Node from the installed package, with no network: `fromPretrained` of `@vae/pretrained/node`.
 */
import { type LoadOptions, loadModel, type ModelClass, type SavedModel } from '@vae/models';
import type { ModelCard } from './card';
import catalog from './catalog.json';

export type { CardComparison, CardEvaluation, ModelCard } from './card';

const CARDS = catalog as unknown as Record<string, ModelCard>;

/** The names of the pretrained models, e.g. 'mnist-vae-2d'. */
export const PRETRAINED_MODELS: readonly string[] = Object.freeze(Object.keys(CARDS));

/** A pretrained model's card (data, configuration, seed, test numbers, training time, how to reproduce). */
export function modelCard(name: string): ModelCard {
  return structuredClone(cardOf(name, 'modelCard'));
}

/** The card of `name`, or a clear error listing the names there are. @internal */
export function cardOf(name: string, caller: string): ModelCard {
  if (typeof name !== 'string' || !Object.hasOwn(CARDS, name)) {
    throw new Error(
      `${caller}: there is no pretrained model named ${JSON.stringify(name)?.slice(0, 80)}; the names are ` +
        `${PRETRAINED_MODELS.join(', ')}.`,
    );
  }
  return CARDS[name];
}

/** Options of `fromPretrained`: those of every loader (limits, fetch, signal...), and `as` to type the result. */
export interface PretrainedOptions extends Omit<LoadOptions, 'weightsSha256'> {
  /**
   * The URL of the folder that holds the models' folders (`<baseUrl><name>/model.json`): where you serve
   * `node_modules/@vae/pretrained/models/` (copy it into your app's public folder), relative to the page or
   * absolute. Required in the browser; in Node, `@vae/pretrained/node` loads from the installed package without it.
   */
  baseUrl?: string | URL;
}

/** The URL of a pretrained model's model.json under `baseUrl`. */
export function pretrainedUrl(name: string, baseUrl: string | URL, caller = 'pretrainedUrl'): URL {
  cardOf(name, caller);
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  let base: URL;
  try {
    base = new URL(baseUrl.toString(), page);
  } catch {
    throw new Error(
      `${caller}: baseUrl '${String(baseUrl).slice(0, 200)}' is not a URL; pass the URL of the folder where the ` +
        "package's models/ folder is served, e.g. '/pretrained/' or 'https://example.com/pretrained/'.",
    );
  }
  if (!base.pathname.endsWith('/')) base = new URL(`${base.pathname}/${base.search}`, base);
  return new URL(`${name}/model.json`, base);
}

/**
 * Loads a pretrained model from `<baseUrl><name>/model.json`, with every check of `loadModel` (the server is
 * untrusted: sizes, same origin, finite weights) and its weights pinned to the SHA-256 on its card: a changed or
 * damaged model is refused with an error that says so. `{ as: VAE }` types the result.
 */
export async function fromPretrained<M>(
  name: string,
  options: PretrainedOptions & { baseUrl: string | URL; as: ModelClass<M> },
): Promise<M>;
export async function fromPretrained(
  name: string,
  options: PretrainedOptions & { baseUrl: string | URL },
): Promise<SavedModel>;
export async function fromPretrained(
  name: string,
  options: PretrainedOptions & { as?: ModelClass<unknown> },
): Promise<unknown> {
  const card = cardOf(name, 'fromPretrained');
  if (options?.baseUrl === undefined) {
    throw new Error(
      "fromPretrained: pass { baseUrl }, the URL where the package's models/ folder is served (e.g. " +
        "{ baseUrl: '/pretrained/' } after copying node_modules/@vae/pretrained/models to public/pretrained); in " +
        "Node, import fromPretrained from '@vae/pretrained/node' to load from the installed package.",
    );
  }
  const { baseUrl, ...rest } = options;
  const url = pretrainedUrl(name, baseUrl, 'fromPretrained');
  return loadModel(url.href, { ...rest, weightsSha256: card.weights.sha256 } as LoadOptions);
}
