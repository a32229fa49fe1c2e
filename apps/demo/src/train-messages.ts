/** The messages between the Train view and its worker (`train.worker.ts`). */
import type { BackendName } from './backends';

export interface TrainConfig {
  latentDim: number;
  hiddenUnits: number[];
  /** Weight of the KL term (1 = the ELBO). */
  beta: number;
  /** Ramp the KL weight linearly from 0 to beta over the first epoch (KL annealing). */
  warmup: boolean;
  epochs: number;
  /** Training images: the first n of the MNIST test set (the set the site serves). */
  examples: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Backend to train on; wasm, then cpu, if it cannot start in a worker. */
  backend?: BackendName;
  /**
   * Data-parallel replicas (`fit`'s `workers`): the training worker and replicas - 1 nested Web Workers; 'auto' is
   * one per core. On wasm and cpu only (GPU backends train in one worker). Default 1.
   */
  replicas?: number | 'auto';
  /** Absolute URL of the site's root, which the data paths are relative to. */
  siteUrl: string;
  /** The shipped data files: logical name -> fingerprinted path (`virtual:demo-data`). */
  dataFiles: Record<string, string>;
}

export type ToWorker =
  | { type: 'start'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'abort' }
  | { type: 'export'; codes: number };

export interface StepRecord {
  /** 1-based optimizer step. */
  step: number;
  epoch: number;
  /** Position in epochs, e.g. 1.25 = a quarter into the second epoch. */
  progress: number;
  /** Batch means, in nats per image. */
  reconstruction: number;
  kl: number;
  /** KL weight used in this step. */
  klWeight: number;
}

export interface EpochSummary {
  epoch: number;
  reconstruction: number;
  kl: number;
  total: number;
  /** The held-out images' loss terms after the epoch (fit's `validation` record), nats per image. */
  heldOut?: { reconstruction: number; kl: number; total: number };
  seconds: number;
  imagesPerSecond: number;
}

export interface ExportedModel {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  /** Posterior means of the first training images, for the latent map. */
  codes?: { latentDim: number; count: number; labels: number[]; means: number[] };
}

export type FromWorker =
  | { type: 'status'; text: string }
  | {
      type: 'ready';
      backend: string;
      failures: string[];
      examples: number;
      stepsPerEpoch: number;
      /** Images of the held-out loss, and whether they are among the training images (more than 9000 train). */
      heldOut: number;
      overlap: boolean;
      parameters: number;
      /** Replicas training (1: the training worker alone), and why fewer than asked for, if so. */
      replicas: number;
      replicasNote?: string;
    }
  | { type: 'step'; record: StepRecord }
  | { type: 'epoch'; summary: EpochSummary }
  | { type: 'preview'; pixels: Float32Array; count: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'done'; aborted: boolean; steps: number }
  | { type: 'exported'; model: ExportedModel }
  | { type: 'error'; message: string };
