/**
 * The Debiasing view's experiment, run in the worker (`train.worker.ts` loads this module when asked): the DB-VAE
 * of @vae/models trained twice on `biasedShapes` through `fit`, the library's one training loop, at equal budget:
 * first with a uniform shuffle, then with `debiasingSampler` redrawing the positives every epoch by their inverse
 * latent density. After each, `subgroupAccuracy` (@vae/metrics) of the balanced test set; after the second, the
 * positives the resampling upweighted most (`upweightedExamples`). The same steps as `vae debias`, smaller.
 */
import { BIASED_SHAPES_SUBGROUPS } from '@vae/data';
import { subgroupAccuracy, upweightedExamples } from '@vae/metrics';
import { type DebiasingSampler, debiasingSampler } from '@vae/models';
import type { DebiasConfig, DebiasVariant, FromDebiasWorker } from './debias-messages';
import { createDebiasModel, DEBIAS_TOP, DEBIAS_TRAINING, debiasData, debiasFitOptions } from './debias-setup';

/** Steps between two progress messages (every step would flood the page for nothing). */
const STEP_MESSAGE_EVERY = 4;

export async function runDebias(
  config: DebiasConfig,
  backend: { backend: string; failures: string[] },
  post: (message: FromDebiasWorker, transfer?: Transferable[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  post({ type: 'debias-status', text: 'Drawing the biased shapes (procedural, seeded)…' });
  const data = debiasData(config);
  const { train, test } = data;
  const rare = BIASED_SHAPES_SUBGROUPS.positiveRare;
  const positives = train.labels.reduce((sum, label) => sum + label, 0);
  const rarePositives = train.groups.reduce((sum, group) => sum + (group === rare ? 1 : 0), 0);
  const options = debiasFitOptions(config);
  const stepsPerEpoch = Math.ceil(train.size / (options.batchSize ?? 1));
  let aborted = false;
  for (const variant of ['biased', 'debiased'] as DebiasVariant[]) {
    const model = createDebiasModel(config);
    try {
      if (variant === 'biased') {
        post({
          type: 'debias-ready',
          backend: backend.backend,
          failures: backend.failures,
          trainSize: train.size,
          positives,
          rarePositives,
          testSize: test.size,
          groupNames: [...data.groupNames],
          stepsPerEpoch,
          parameters: Object.values(model.variables)
            .filter((variable) => variable.trainable)
            .reduce((sum, variable) => sum + variable.size, 0),
        });
      }
      let sampler: DebiasingSampler | undefined;
      let rareWeightShare: number | undefined;
      if (variant === 'debiased') {
        sampler = debiasingSampler(model, train, {
          alpha: config.alpha,
          bins: DEBIAS_TRAINING.bins,
          onWeights: ({ indices, weights }) => {
            let share = 0;
            for (let i = 0; i < indices.length; i++)
              if (train.groups[indices[i]] === rare) share += weights[i];
            rareWeightShare = share;
          },
        });
      }
      const variantStarted = performance.now();
      const history = await model.fit(train, {
        ...options,
        epochSampler: sampler,
        signal,
        onBatchEnd: ({ epoch, batch, batches, step, losses }) => {
          if (step % STEP_MESSAGE_EVERY !== 0 && batch !== batches) return;
          post({
            type: 'debias-step',
            variant,
            epoch,
            step,
            classifier: losses.regularizer ?? 0,
            reconstruction: losses.reconstruction,
          });
        },
        onEpochEnd: (record) => {
          post({
            type: 'debias-epoch',
            variant,
            epoch: record.epoch,
            classifier: record.train.regularizer ?? 0,
            rareWeightShare,
          });
        },
      });
      if (history.aborted) {
        aborted = true;
        break;
      }
      post({ type: 'debias-status', text: 'Classifying the balanced test set…' });
      const probabilities = await model.predict(test, { batchSize: 400 });
      const predictions = Array.from(probabilities, (p) => (p >= 0.5 ? 1 : 0));
      const accuracy = subgroupAccuracy(predictions, test.labels, test.groups, {
        groupNames: data.groupNames,
      });
      const last = history.epochs[history.epochs.length - 1];
      post({
        type: 'debias-result',
        result: {
          variant,
          groups: accuracy.groups.map(({ name, count, correct, accuracy: value }) => ({
            name,
            count,
            correct,
            accuracy: value,
          })),
          overall: accuracy.overall,
          worstGroup: accuracy.worstGroup,
          worstAccuracy: accuracy.worstAccuracy,
          gap: accuracy.gap,
          finalClassifierLoss: last?.train.regularizer ?? Number.NaN,
          seconds: (performance.now() - variantStarted) / 1000,
        },
      });
      const snapshot = sampler?.last;
      if (snapshot) {
        const groupsOfPositives = Array.from(snapshot.indices, (i) => train.groups[i]);
        const top = upweightedExamples(snapshot.weights, Math.min(DEBIAS_TOP, snapshot.weights.length), {
          groups: groupsOfPositives,
        });
        const side = data.options.imageSize;
        const area = side * side;
        const pixels = new Float32Array(top.indices.length * area);
        const groups: number[] = [];
        top.indices.forEach((position, k) => {
          const index = snapshot.indices[position];
          pixels.set(train.values.subarray(index * area, (index + 1) * area), k * area);
          groups.push(train.groups[index]);
        });
        const share = top.groupWeightShares?.[rare];
        post(
          {
            type: 'debias-upweighted',
            upweighted: {
              pixels,
              count: top.indices.length,
              side,
              groups,
              rareInTop: top.groupCounts?.[rare] ?? 0,
              rareWeightShare: share?.weightShare ?? 0,
              rareExampleShare: share?.exampleShare ?? 0,
              maxRatio: top.ratios[0],
            },
          },
          [pixels.buffer],
        );
      }
    } finally {
      model.dispose();
    }
  }
  post({ type: 'debias-done', aborted, seconds: (performance.now() - started) / 1000 });
}
