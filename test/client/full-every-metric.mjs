/**
 * Every metric of @vae/metrics on every model kind of @vae/models it makes sense for, from the installed packages
 * (run by test/client.test.ts in the "full" project): a model and a labelled BatchSource, no wrapper holding labels,
 * ConditionalVAE and IWAE included. Prints `RESULT <json>`: for each class, the metrics that ran and any failure.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorSource } from '@vae/core';
import {
  activeUnits,
  anomalyReport,
  betaVaeScore,
  clusteringAgreement,
  collectCodes,
  evaluateElbo,
  factorVaeScore,
  importanceSampledLogLikelihood,
  latentHealth,
  linearProbeAccuracy,
  mutualInformationGap,
  nearestNeighbourAccuracy,
  pca,
  reconstructionError,
} from '@vae/metrics';
import { MODEL_REGISTRY } from '@vae/models';

await tf.setBackend('cpu');
const shape = [2, 2, 1];
const labels = Array.from({ length: 24 }, (_, i) => i % 3);
const x = tf.tensor(
  labels.flatMap((label, i) =>
    [0, 1, 2, 3].map((p) => (p === label ? 0.9 : 0.1) + 0.05 * Math.sin(i * 7 + p)),
  ),
  [24, ...shape],
);
const data = tensorSource(x, labels);
const factors = {
  factorSizes: [4, 2],
  itemShape: shape,
  render: (values) =>
    tf.tensor(
      values.flatMap((v) => [0, 1, 2, 3].map((p) => (p === v[0] ? 0.6 + 0.3 * v[1] : 0.1))),
      [values.length, ...shape],
    ),
};
// What a class needs beyond the shared fields (the same as test/integration/metrics-on-models.test.ts).
const extra = {
  LinearAutoencoder: { hiddenUnits: [] },
  ContractiveAutoencoder: { hiddenUnits: [] },
  ConditionalVAE: { numClasses: 3 },
  IWAE: { importanceSamples: 3 },
  PriorVAE: { components: 3 },
  VQVAE: { positions: 2, embeddingDim: 1, codebookSize: 4 },
  M2: { numClasses: 3 },
};
const represent = (model) => (batch, batchLabels) =>
  tf.tidy(() => {
    const code = model.encode(batch, batchLabels);
    return code instanceof tf.Tensor ? code : code.mean;
  });

// Every model kind of the registry (the recommenders, trained on rating rows, are in RECOMMENDER_REGISTRY).
const KINDS = Object.keys(MODEL_REGISTRY);
const models = {};
for (const name of KINDS) {
  const ModelClass = MODEL_REGISTRY[name];
  const model = new ModelClass({
    inputShape: shape,
    latentDim: 2,
    hiddenUnits: [3],
    seed: 7,
    ...extra[name],
  });
  const ran = [];
  const run = async (metric, fn) => {
    await fn();
    ran.push(metric);
  };
  try {
    if ('logLikelihood' in model) {
      await run('evaluateElbo', () => evaluateElbo(model, data));
      await run('importanceSampledLogLikelihood', () =>
        importanceSampledLogLikelihood(model, data, { importanceSamples: 8 }),
      );
      await run('latentHealth', () => latentHealth(model, data));
    }
    await run('reconstructionError', () => reconstructionError((b, l) => model.reconstruct(b, l), data));
    const codes = await collectCodes(represent(model), data);
    ran.push('collectCodes');
    await run('activeUnits', () => activeUnits(codes));
    const split = {
      trainCodes: { values: codes.values.slice(0, 24), rows: 12, columns: 2 },
      trainLabels: labels.slice(0, 12),
      testCodes: { values: codes.values.slice(24), rows: 12, columns: 2 },
      testLabels: labels.slice(12),
    };
    await run('nearestNeighbourAccuracy', () => nearestNeighbourAccuracy(split, { k: 3 }));
    await run('linearProbeAccuracy', () => linearProbeAccuracy(split, { epochs: 2 }));
    await run('clusteringAgreement', () => clusteringAgreement(codes, labels, { seed: 1 }));
    await run('pca', () => pca(codes, { components: 1 }));
    const scores = await model.score(data);
    await run('anomalyReport', async () =>
      anomalyReport(
        scores,
        labels.map((l) => (l === 0 ? 1 : 0)),
      ),
    );
    if (!model.usesLabels) {
      const sizes = { batchSize: 4, trainPoints: 20, evalPoints: 10 };
      await run('betaVaeScore', () =>
        betaVaeScore(factors, represent(model), { ...sizes, classifier: { epochs: 2 } }),
      );
      await run('factorVaeScore', () =>
        factorVaeScore(factors, represent(model), { ...sizes, varianceEstimatePoints: 40 }),
      );
      await run('mutualInformationGap', () =>
        mutualInformationGap(factors, represent(model), { points: 64, bins: 4 }),
      );
    }
    models[name] = { ran, probabilistic: 'logLikelihood' in model, usesLabels: Boolean(model.usesLabels) };
  } catch (error) {
    models[name] = { ran, probabilistic: 'logLikelihood' in model, error: String(error?.message ?? error) };
  } finally {
    model.dispose();
  }
}
x.dispose();
console.log(`RESULT ${JSON.stringify({ models, tensorsLeft: tf.memory().numTensors })}`);
