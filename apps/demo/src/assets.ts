/**
 * What the page loads from its own origin: models (`models/<name>/model.json` + `weights.bin`, from
 * `scripts/prepare-model.mjs`), the 2-D maps' test-set codes (`models/<name>/codes.json`) and 100 test digits to
 * pick from (`data/digits.png`, made at build time by `vite-plugin-demo-data.ts`).
 */

import { DATA_FILES } from 'virtual:demo-data';
import { type AnyModel, loadModel, RECOMMENDER_REGISTRY, VAE } from '@vae/models';
import { fetchShipped } from './host-data';

/** The model of the Draw, Interpolate and Sample views: 784-400-20, trained 10 epochs. */
export const DEFAULT_MODEL = 'mnist-vae';
/** The model of the latent map: 784-400-2. */
export const MAP_MODEL = 'mnist-vae-2d';
/** The latent map of Fashion-MNIST: 784-400-2. */
export const FASHION_MAP_MODEL = 'fashion-vae-2d';
/** The denoising autoencoder of the Draw view, trained with masking noise. */
export const DENOISING_MODEL = 'mnist-dae';
/** The Disentangle view's pair, trained on the procedural dSprites: a beta-VAE (beta 4) and a plain VAE. */
export const SPRITES_BETA_MODEL = 'dsprites-beta-vae';
export const SPRITES_VAE_MODEL = 'dsprites-vae';

/** The data sets of the latent map, by the `?data=` value. */
export const MAP_DATASETS = {
  mnist: {
    title: 'MNIST digits',
    model: MAP_MODEL,
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  fashion: {
    title: 'Fashion-MNIST',
    model: FASHION_MAP_MODEL,
    classes: ['T-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'],
  },
} as const;
export type MapDataset = keyof typeof MAP_DATASETS;

export function isMapDataset(name: string): name is MapDataset {
  return Object.hasOwn(MAP_DATASETS, name);
}

/** A model given by `?model=`: a shipped model's name, or the URL of a model.json. */
export function modelUrl(reference: string): string {
  const path =
    /^[\w.-]+$/.test(reference) && !reference.endsWith('.json')
      ? `models/${reference}/model.json`
      : reference;
  return new URL(path, location.href).href;
}

/** A model that could not be loaded (missing, not of the class a view needs, broken). */
export class ModelLoadError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** Models trained in this page (the Train view), by a name of the form `memory:<n>`. */
const inMemory = new Map<string, VAE>();
const loading = new Map<string, Promise<AnyModel>>();

export function isMemoryModel(reference: string): boolean {
  return reference.startsWith('memory:');
}

export function addMemoryModel(model: VAE): string {
  const name = `memory:${inMemory.size + 1}`;
  inMemory.set(name, model);
  return name;
}

/**
 * Loads a saved model of any class of @vae/models once per URL (the file names its class; `loadModel` builds it
 * from the registry), or returns a model trained in the page.
 */
export function getAnyModel(reference: string): Promise<AnyModel> {
  const memory = inMemory.get(reference);
  if (memory) return Promise.resolve(memory);
  const url = modelUrl(reference);
  let promise = loading.get(url);
  if (!promise) {
    promise = loadModel(url).then(
      (model) => {
        // the recommenders (rating rows, no images) load too: no view of this page can use one
        if (Object.hasOwn(RECOMMENDER_REGISTRY, model.className)) {
          model.dispose();
          throw new ModelLoadError(
            url,
            `the model at ${url} is a ${model.className}, a recommender; the views need a model of images.`,
          );
        }
        return model as AnyModel;
      },
      (error: unknown) => {
        throw new ModelLoadError(url, error instanceof Error ? error.message : String(error));
      },
    );
    loading.set(url, promise);
    promise.catch(() => loading.delete(url));
  }
  return promise;
}

/** Loads a model that must be a VAE (or a subclass: BetaVAE, IWAE...), once per URL. */
export async function getModel(reference: string): Promise<VAE> {
  const model = await getAnyModel(reference);
  if (!(model instanceof VAE)) {
    const url = isMemoryModel(reference) ? reference : modelUrl(reference);
    throw new ModelLoadError(
      url,
      `the model at ${url} is a ${model.className}; this view needs a VAE (VAE, BetaVAE, IWAE...).`,
    );
  }
  return model;
}

export function architecture(model: AnyModel): string {
  return [model.inputSize, ...model.config.hiddenUnits, model.latentDim].join('-');
}

export function parameterCount(model: AnyModel): number {
  return Object.values(model.variables).reduce((sum, variable) => sum + variable.size, 0);
}

/** E.g. "VAE 784-400-20, latent size 20, 648,224 parameters" (the class as saved: BetaVAE, DenoisingAutoencoder...). */
export function describeModel(model: AnyModel): string {
  const code = model instanceof VAE ? 'latent size' : 'code size';
  return (
    `${model.className} ${architecture(model)}, ${code} ${model.latentDim}, ` +
    `${parameterCount(model).toLocaleString('en-US')} parameters`
  );
}

/** Posterior means (and standard deviations) of test images, with their labels. */
export interface Codes {
  latentDim: number;
  count: number;
  labels: number[];
  /** Row-major `[count, latentDim]`. */
  means: number[];
  sigmas?: number[];
}

const codesCache = new Map<string, Promise<Codes | undefined>>();
const memoryCodes = new Map<string, Codes>();

export function setMemoryCodes(reference: string, codes: Codes): void {
  memoryCodes.set(reference, codes);
}

/** The `codes.json` beside a model's `model.json`, or undefined when there is none. */
export function getCodes(reference: string): Promise<Codes | undefined> {
  if (isMemoryModel(reference)) return Promise.resolve(memoryCodes.get(reference));
  const url = new URL('codes.json', modelUrl(reference)).href;
  let promise = codesCache.get(url);
  if (!promise) {
    promise = fetch(url).then(async (response) => {
      if (!response.ok) return undefined;
      const codes = (await response.json()) as Codes;
      if (!Array.isArray(codes.means) || codes.means.length !== codes.count * codes.latentDim) {
        throw new Error(`${url} is not a codes file written by scripts/prepare-model.mjs.`);
      }
      return codes;
    });
    codesCache.set(url, promise);
    promise.catch(() => codesCache.delete(url));
  }
  return promise;
}

export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/** 10 test digits of each class: `digits[label][k]` is 784 grey values in [0, 1]. */
export type DigitSet = Float32Array[][];

let digitsPromise: Promise<DigitSet> | undefined;

export function getDigits(): Promise<DigitSet> {
  digitsPromise ??= (async () => {
    const url = new URL(DATA_FILES['data/digits.png'], location.href).href;
    const bytes = await fetchShipped(url);
    const bitmap = await createImageBitmap(
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
    );
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const columns = bitmap.width / DIGIT_SIDE;
    const digits: DigitSet = [];
    for (let label = 0; label < 10; label++) {
      const row: Float32Array[] = [];
      for (let k = 0; k < columns; k++) {
        const pixels = new Float32Array(DIGIT_PIXELS);
        for (let y = 0; y < DIGIT_SIDE; y++) {
          for (let x = 0; x < DIGIT_SIDE; x++) {
            const source = ((label * DIGIT_SIDE + y) * bitmap.width + k * DIGIT_SIDE + x) * 4;
            pixels[y * DIGIT_SIDE + x] = data[source] / 255;
          }
        }
        row.push(pixels);
      }
      digits.push(row);
    }
    return digits;
  })();
  // a failed load is tried again on the next call (the view's Retry)
  digitsPromise.catch(() => {
    digitsPromise = undefined;
  });
  return digitsPromise;
}
