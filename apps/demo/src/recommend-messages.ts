/** The messages between the Recommendations view and the worker (`train.worker.ts`, which runs `recommend-run.ts`). */
import type { BackendName } from './backends';
import type { RecommendSettings } from './recommend-setup';

export interface RecommendConfig extends RecommendSettings {
  /** Backend to train on; wasm, then cpu, if it cannot start in a worker. */
  backend?: BackendName;
}

export type ToRecommendWorker =
  | { type: 'recommend-start'; config: RecommendConfig }
  | { type: 'recommend-abort' };

/** Recall@k and NDCG@k per cut-off k, over `users` (`splitTopNMetrics` of @vae/metrics). */
export interface TopNScores {
  recall: Record<number, number>;
  ndcg: Record<number, number>;
  users: number;
}

export type FromRecommendWorker =
  | { type: 'recommend-status'; text: string }
  | {
      type: 'recommend-ready';
      backend: string;
      failures: string[];
      stepsPerEpoch: number;
      parameters: number;
    }
  | {
      type: 'recommend-step';
      epoch: number;
      step: number;
      /** The batch's multinomial negative log-likelihood per user, nats. */
      reconstruction: number;
    }
  | {
      type: 'recommend-epoch';
      epoch: number;
      /** The epoch's mean training loss (the objective as trained), and the model's held-out scores after it. */
      loss: number;
      scores: TopNScores;
    }
  | {
      type: 'recommend-result';
      /** The trained model's held-out scores. */
      scores: TopNScores;
      /** The model's top `top` items of every user (training items excluded), user after user; -1 pads. */
      lists: Int32Array;
      top: number;
      seconds: number;
    }
  | { type: 'recommend-done'; aborted: boolean; seconds: number }
  | { type: 'recommend-error'; message: string };
