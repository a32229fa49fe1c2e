/**
 * What a training run of the Train view is, apart from the page: its data split, its model and the options it gives
 * `fit`. The worker (`train.worker.ts`) trains with exactly these, and the test that compares the page's training
 * with the same run in Node (`test/parity.test.ts`) imports them too, so the two cannot drift apart.
 */
import type { KlSchedule } from '@vae/core';
import { ImageDataset } from '@vae/data';
import { type FitOptions, VAE } from '@vae/models';
import { applyModelOptions, MODEL_DESCRIPTIONS } from '@vae/models/options';
import { modelConfigOf } from './train-controls';
import type { TrainConfig } from './train-messages';

const VAE_OPTIONS = MODEL_DESCRIPTIONS.VAE;

/** The held-out images: the last 1000 of the MNIST test set (the site serves no other MNIST images). */
export const HELD_OUT_START = 9000;
export const HELD_OUT_COUNT = 1000;

export type TrainSettings = Pick<
  TrainConfig,
  | 'latentDim'
  | 'hiddenUnits'
  | 'beta'
  | 'warmup'
  | 'epochs'
  | 'examples'
  | 'batchSize'
  | 'learningRate'
  | 'seed'
>;

/**
 * The training images (the first `examples` of the MNIST test set) and the held-out images (the last 1000) of the
 * 10,000 the site serves. With more than 9000 training images the two overlap: `overlap` says so.
 */
export function splitMnistTest(
  all: ImageDataset,
  examples: number,
): { train: ImageDataset; heldOut: ImageDataset; overlap: boolean } {
  if (all.size < HELD_OUT_START + HELD_OUT_COUNT) {
    throw new Error(
      `the MNIST test set has ${all.size} images here; the held-out loss needs all ${HELD_OUT_START + HELD_OUT_COUNT}.`,
    );
  }
  const side = all.itemShape;
  const itemSize = side[0] * side[1] * side[2];
  const heldOut = new ImageDataset({
    images: all.images.subarray(HELD_OUT_START * itemSize, (HELD_OUT_START + HELD_OUT_COUNT) * itemSize),
    shape: [HELD_OUT_COUNT, ...side],
    labels: all.labels?.subarray(HELD_OUT_START, HELD_OUT_START + HELD_OUT_COUNT),
    name: `${all.name} (held out)`,
  });
  return { train: all.take(examples), heldOut, overlap: examples > HELD_OUT_START };
}

/**
 * The model a run trains: a VAE of the chosen shape (the controls' values mapped and checked by the VAE's option
 * description), its weights drawn from the run's seed.
 */
export function createTrainModel(settings: TrainSettings): VAE {
  const [hidden] = settings.hiddenUnits;
  return new VAE({
    ...modelConfigOf({ latent: settings.latentDim, hidden, beta: settings.beta }),
    hiddenUnits: settings.hiddenUnits,
    seed: settings.seed,
  });
}

/**
 * The KL schedule `fit` gets: with the warm-up, a linear ramp from 0 to beta over the first epoch's steps, built by
 * the VAE's own option description (as `vae train --kl-schedule linear --kl-steps <n>` builds it); without it,
 * none, so the model's own weight (its config's beta) applies. The model decides the weight in force
 * (`klScheduleFor`), which the worker also charts.
 */
export function klSchedule(settings: TrainSettings, stepsPerEpoch: number): KlSchedule | undefined {
  const values = settings.warmup
    ? { beta: settings.beta, klSchedule: 'linear', klSteps: stepsPerEpoch }
    : { beta: settings.beta };
  return applyModelOptions(VAE_OPTIONS, values).fit.klSchedule as KlSchedule | undefined;
}

/**
 * The options of `fit` for a run (callbacks and the abort signal are the caller's): after each epoch `fit`
 * evaluates the model on `heldOut` (its `validation` record: the held-out loss).
 */
export function fitOptions(
  settings: TrainSettings,
  stepsPerEpoch: number,
  heldOut: ImageDataset,
): FitOptions {
  return {
    validationData: heldOut,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed: settings.seed,
    klSchedule: klSchedule(settings, stepsPerEpoch),
  };
}
