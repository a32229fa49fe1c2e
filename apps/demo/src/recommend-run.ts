/**
 * The Recommendations view's run, in the worker (`train.worker.ts` loads this module when asked): Mult-VAE or
 * Mult-DAE of @vae/models trained on the clicks of `syntheticRatings` through `fit`, the library's one training
 * loop, with the held-out Recall@k and NDCG@k after every epoch (`splitTopNMetrics` of @vae/metrics), then every
 * user's top-N list (`recommend`). The steps of `vae recommend --model mult-vae`, smaller; the page scores the
 * popularity baseline itself.
 */
import { splitTopNMetrics } from '@vae/metrics';
import type { FromRecommendWorker, RecommendConfig } from './recommend-messages';
import {
  createRecommendModel,
  RECOMMEND_KS,
  RECOMMEND_TOP,
  recommendData,
  recommendFitOptions,
  recommendRows,
} from './recommend-setup';

/** Steps between two progress messages. */
const STEP_MESSAGE_EVERY = 3;

export async function runRecommend(
  config: RecommendConfig,
  backend: { backend: string; failures: string[] },
  post: (message: FromRecommendWorker, transfer?: Transferable[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  post({ type: 'recommend-status', text: 'Drawing the ratings (synthetic, seeded)…' });
  const data = recommendData(config);
  const { train, test } = data;
  const rows = recommendRows(data);
  const ks = [...RECOMMEND_KS];
  const model = createRecommendModel(config, train.numItems);
  try {
    const scoresOf = async (users: number[]) => {
      const batch = rows.batch(users);
      let values: Float32Array;
      try {
        const scores = model.scores(batch);
        try {
          values = (await scores.data()) as Float32Array;
        } finally {
          scores.dispose();
        }
      } finally {
        batch.dispose();
      }
      return users.map((_, j) => values.subarray(j * train.numItems, (j + 1) * train.numItems));
    };
    const options = recommendFitOptions(config);
    post({
      type: 'recommend-ready',
      backend: backend.backend,
      failures: backend.failures,
      stepsPerEpoch: Math.ceil(rows.size / (options.batchSize ?? 1)),
      parameters: Object.values(model.variables)
        .filter((variable) => variable.trainable)
        .reduce((sum, variable) => sum + variable.size, 0),
    });
    const history = await model.fit(rows, {
      ...options,
      signal,
      onBatchEnd: ({ epoch, batch, batches, step, losses }) => {
        if (step % STEP_MESSAGE_EVERY !== 0 && batch !== batches) return;
        post({ type: 'recommend-step', epoch, step, reconstruction: losses.reconstruction });
      },
      onEpochEnd: async (record) => {
        if (record.partial) return;
        const scores = await splitTopNMetrics(scoresOf, train, test, ks);
        post({ type: 'recommend-epoch', epoch: record.epoch, loss: record.train.total, scores });
      },
    });
    if (history.aborted) {
      post({ type: 'recommend-done', aborted: true, seconds: (performance.now() - started) / 1000 });
      return;
    }
    post({ type: 'recommend-status', text: 'Ranking every user’s items…' });
    const scores = await splitTopNMetrics(scoresOf, train, test, ks);
    const users = Array.from({ length: rows.size }, (_, u) => u);
    const top = RECOMMEND_TOP;
    const lists = new Int32Array(rows.size * top).fill(-1);
    const recommended = await model.recommend(rows, users, top);
    for (const [u, { items }] of recommended.entries()) lists.set(items, u * top);
    const seconds = (performance.now() - started) / 1000;
    post({ type: 'recommend-result', scores, lists, top, seconds }, [lists.buffer]);
    post({ type: 'recommend-done', aborted: false, seconds });
  } finally {
    model.dispose();
  }
}
