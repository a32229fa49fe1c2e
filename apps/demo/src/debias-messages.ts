/** The messages between the Debiasing view and the worker (`train.worker.ts`, which runs `debias-run.ts`). */
import type { BackendName } from './backends';
import type { DebiasSettings } from './debias-setup';

export interface DebiasConfig extends DebiasSettings {
  /** Backend to train on; wasm, then cpu, if it cannot start in a worker. */
  backend?: BackendName;
}

export type ToDebiasWorker = { type: 'debias-start'; config: DebiasConfig } | { type: 'debias-abort' };

/** Which of the two trainings: the same DB-VAE without resampling, then with `debiasingSampler`. */
export type DebiasVariant = 'biased' | 'debiased';

/** Accuracy on the balanced test set, per subgroup (`subgroupAccuracy` of @vae/metrics). */
export interface VariantResult {
  variant: DebiasVariant;
  /** Per subgroup, in the data set's group order. */
  groups: { name: string; count: number; correct: number; accuracy: number }[];
  overall: number;
  worstGroup: number;
  worstAccuracy: number;
  gap: number;
  /** The last epoch's classification term (classifierWeight x BCE, training set). */
  finalClassifierLoss: number;
  seconds: number;
}

/** The training positives the debiasing upweighted most (`upweightedExamples` of @vae/metrics), last epoch. */
export interface UpweightedResult {
  /** Their pixels, `side * side` values each, most upweighted first. */
  pixels: Float32Array;
  count: number;
  side: number;
  /** Subgroup of each (an index into `groupNames`). */
  groups: number[];
  /** How many of them are in the rare subgroup. */
  rareInTop: number;
  /** The rare subgroup's share of the sampling weight, and of the positives. */
  rareWeightShare: number;
  rareExampleShare: number;
  /** The largest weight over the mean weight. */
  maxRatio: number;
}

export type FromDebiasWorker =
  | { type: 'debias-status'; text: string }
  | {
      type: 'debias-ready';
      backend: string;
      failures: string[];
      trainSize: number;
      positives: number;
      rarePositives: number;
      testSize: number;
      groupNames: string[];
      stepsPerEpoch: number;
      parameters: number;
    }
  | {
      type: 'debias-step';
      variant: DebiasVariant;
      epoch: number;
      step: number;
      /** The weighted classification term and the VAE's reconstruction, of this step's batch. */
      classifier: number;
      reconstruction: number;
    }
  | {
      type: 'debias-epoch';
      variant: DebiasVariant;
      epoch: number;
      classifier: number;
      /** With debiasing: the rare subgroup's share of this epoch's sampling weight. */
      rareWeightShare?: number;
    }
  | { type: 'debias-result'; result: VariantResult }
  | { type: 'debias-upweighted'; upweighted: UpweightedResult }
  | { type: 'debias-done'; aborted: boolean; seconds: number }
  | { type: 'debias-error'; message: string };
