/**
 * Every metric of @vae/metrics on every model kind of @vae/models it makes sense for, through the contracts in core
 * only: a model and a labelled `BatchSource`, no wrapper holding labels. Then the importance-sampled log p(x) of
 * tiny models with one latent dimension against log p(x) by quadrature over z (the integral enumerated on a grid).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, type FactorSource, tensorSource } from '@vae/core';
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
import { type AnyModel, MODEL_REGISTRY, type ModelClassName } from '@vae/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SHAPE = [2, 2, 1];
const CLASSES = 3;

/** The smallest model of each class; `extra` fills what the class needs beyond the shared fields. */
function create(className: ModelClassName, latentDim = 2): AnyModel {
  const extra: Record<string, unknown> = {
    LinearAutoencoder: { hiddenUnits: [] },
    ConditionalVAE: { numClasses: CLASSES },
    IWAE: { importanceSamples: 3 },
    PriorVAE: { components: 3 },
    VQVAE: { positions: latentDim, embeddingDim: 1, codebookSize: 4 },
    ContractiveAutoencoder: { hiddenUnits: [] },
    DenoisingAutoencoder: { hiddenUnits: [3] },
  };
  const ModelClass = MODEL_REGISTRY[className] as unknown as new (config: object) => AnyModel;
  return new ModelClass({
    inputShape: SHAPE,
    latentDim,
    hiddenUnits: [3],
    seed: 7,
    ...(extra[className] as object),
  });
}

/** 24 binary-ish 2x2 images in three classes, with labels. */
function labelledData(): { x: tf.Tensor; labels: number[]; source: BatchSource } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 24; i++) {
    const label = i % CLASSES;
    labels.push(label);
    rows.push([0, 1, 2, 3].map((p) => (p === label ? 0.9 : 0.1) + 0.05 * Math.sin(i * 7 + p)));
  }
  const x = tf.tensor(rows.flat(), [24, ...SHAPE]);
  return { x, labels, source: tensorSource(x, labels) };
}

/** Two factors (a lit pixel 0..3, brightness 0..1) rendered as 2x2 images. */
const factors: FactorSource = {
  factorSizes: [4, 2],
  factorNames: ['pixel', 'brightness'],
  itemShape: SHAPE,
  render: (values) =>
    tf.tensor(
      values.flatMap((v) => [0, 1, 2, 3].map((p) => (p === v[0] ? 0.6 + 0.3 * v[1] : 0.1))),
      [values.length, ...SHAPE],
    ),
};

const probabilistic = (className: ModelClassName) => 'logLikelihood' in MODEL_REGISTRY[className].prototype;

/** The code of a batch: the posterior mean (VAEs) or the code (autoencoders), with the batch's labels. */
const representation = (model: AnyModel) => (x: tf.Tensor, labels?: Int32Array) =>
  tf.tidy(() => {
    const code = model.encode(x, labels as never);
    return code instanceof tf.Tensor ? (code as tf.Tensor2D) : code.mean;
  });

const classNames = Object.keys(MODEL_REGISTRY) as ModelClassName[];

describe('every metric on every model kind', () => {
  let data: ReturnType<typeof labelledData>;
  beforeAll(() => {
    data = labelledData();
  });
  afterAll(() => data.x.dispose());

  describe.each(classNames)('%s', (className) => {
    let model: AnyModel;
    beforeAll(() => {
      model = create(className);
    });
    afterAll(() => model.dispose());

    it.runIf(probabilistic(className))(
      'likelihood measures: ELBO, importance-sampled log p(x), latent health',
      async () => {
        const vae = model as Extract<AnyModel, { logLikelihood: unknown }>;
        const before = tf.memory().numTensors;
        const elbo = await evaluateElbo(vae, data.source, { batchSize: 10 });
        expect(elbo.examples).toBe(24);
        expect(Number.isFinite(elbo.loss)).toBe(true);
        expect(elbo.loss).toBeCloseTo(elbo.reconstruction + elbo.kl, 4);
        const likelihood = await importanceSampledLogLikelihood(vae, data.source, {
          importanceSamples: 16,
          batchSize: 10,
        });
        expect(likelihood.perExample).toHaveLength(24);
        expect(Number.isFinite(likelihood.logLikelihood)).toBe(true);
        // log p(x) >= the importance-weighted bound; with 16 samples it sits above the ELBO on average.
        expect(likelihood.logLikelihood).toBeGreaterThan(-elbo.loss - 0.5);
        const health = await latentHealth(vae, data.source);
        expect(health.klPerDimension).toHaveLength(2);
        expect(health.kl).toBeCloseTo(elbo.kl, 1);
        expect(tf.memory().numTensors).toBe(before);
      },
    );

    it('reconstruction error, codes, active units, representation quality, PCA, anomaly scores', async () => {
      const before = tf.memory().numTensors;
      const reconstruction = await reconstructionError(
        (x, labels) => model.reconstruct(x, labels as never),
        data.source,
      );
      expect(reconstruction.examples).toBe(24);
      expect(reconstruction.binaryCrossEntropyPerImage).toBeGreaterThan(0);
      const codes = await collectCodes(representation(model), data.source, { batchSize: 10 });
      expect([codes.rows, codes.columns]).toEqual([24, 2]);
      expect((await activeUnits(codes)).variances).toHaveLength(2);
      const split = {
        trainCodes: { values: codes.values.slice(0, 24), rows: 12, columns: 2 },
        trainLabels: data.labels.slice(0, 12),
        testCodes: { values: codes.values.slice(24), rows: 12, columns: 2 },
        testLabels: data.labels.slice(12),
      };
      const neighbours = await nearestNeighbourAccuracy(split, { k: 3 });
      expect(neighbours.accuracy).toBeGreaterThanOrEqual(0);
      const probe = await linearProbeAccuracy(split, { epochs: 2 });
      expect(probe.testAccuracy).toBeGreaterThanOrEqual(0);
      const clusters = await clusteringAgreement(codes, data.labels, { seed: 1 });
      expect(Number.isFinite(clusters.normalizedMutualInformation)).toBe(true);
      const axes = await pca(codes, { components: 1 });
      expect(axes.explainedVarianceRatio[0]).toBeGreaterThan(0);
      const scores = await model.score(data.source);
      const anomalies = anomalyReport(
        scores,
        data.labels.map((label) => (label === 0 ? 1 : 0)),
      );
      expect(anomalies.auroc).toBeGreaterThanOrEqual(0);
      expect(anomalies.auroc).toBeLessThanOrEqual(1);
      expect(tf.memory().numTensors).toBe(before);
    });

    // A factor source renders images without class labels: conditional models have nothing to condition on.
    it.skipIf(className === 'ConditionalVAE')('disentanglement: beta-VAE, FactorVAE, MIG', async () => {
      const before = tf.memory().numTensors;
      const represent = representation(model);
      const beta = await betaVaeScore(factors, represent, {
        batchSize: 4,
        trainPoints: 20,
        evalPoints: 10,
        classifier: { epochs: 2 },
      });
      expect(beta.score).toBeGreaterThanOrEqual(0);
      const factor = await factorVaeScore(factors, represent, {
        batchSize: 4,
        trainPoints: 20,
        evalPoints: 10,
        varianceEstimatePoints: 40,
      });
      expect(factor.score).toBeGreaterThanOrEqual(0);
      const mig = await mutualInformationGap(factors, represent, { points: 64, bins: 4 });
      expect(mig.gaps).toHaveLength(2);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('building and disposing a model of any kind leaves no tensor behind', () => {
    for (const className of classNames) {
      const before = tf.memory().numTensors;
      create(className).dispose();
      expect(tf.memory().numTensors, className).toBe(before);
    }
  });

  it('a conditional model refuses data without labels, naming the metric and what to pass', async () => {
    const model = create('ConditionalVAE') as Extract<AnyModel, { logLikelihood: unknown }>;
    const source = tensorSource(data.x);
    try {
      await expect(evaluateElbo(model, source)).rejects.toThrow(
        /evaluateElbo: .*labels.*tensorSource\(images, labels\)/,
      );
      await expect(importanceSampledLogLikelihood(model, source, { importanceSamples: 2 })).rejects.toThrow(
        /importanceSampledLogLikelihood: .*labels/,
      );
      await expect(latentHealth(model, source)).rejects.toThrow(/latentHealth: .*labels/);
    } finally {
      model.dispose();
    }
  });
});

/**
 * log p(x) (or log p(x|y)) of a model with one latent dimension by quadrature: the integral of p(x|z) N(z; 0, 1)
 * over z on a fine grid (trapezoid rule, in log space), decoding every grid point.
 */
async function logMarginalByQuadrature(
  model: Extract<AnyModel, { logLikelihood: unknown }>,
  x: tf.Tensor,
  labels: number[] | undefined,
): Promise<Float64Array> {
  const points = 4001;
  const low = -9;
  const step = 18 / (points - 1);
  const n = x.shape[0];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const values = tf.tidy(() => {
      const z = tf.reshape(tf.linspace(low, -low, points), [points, 1]);
      const xi = tf.tile(tf.slice(x, [i], [1]), [points, 1, 1, 1]);
      const li = labels && new Array(points).fill(labels[i]);
      return tf.add(model.logLikelihood(xi, z, li), model.logPrior(z));
    });
    const logs = await values.data();
    values.dispose();
    let max = Number.NEGATIVE_INFINITY;
    for (const v of logs) max = Math.max(max, v);
    let sum = 0;
    for (let g = 0; g < points; g++) sum += Math.exp(logs[g] - max) * (g === 0 || g === points - 1 ? 0.5 : 1);
    out[i] = max + Math.log(sum * step);
  }
  return out;
}

describe('importance-sampled log p(x) against quadrature (one latent dimension)', () => {
  it.each(['VAE', 'BetaVAE', 'ConditionalVAE', 'IWAE'] as const)('%s', async (className) => {
    const model = create(className, 1) as Extract<AnyModel, { logLikelihood: unknown }>;
    const { x, labels } = labelledData();
    const subset = tf.slice(x, [0], [6]);
    try {
      const exact = await logMarginalByQuadrature(model, subset, model.usesLabels ? labels : undefined);
      const estimate = await importanceSampledLogLikelihood(model, tensorSource(subset, labels.slice(0, 6)), {
        importanceSamples: 4000,
        seed: 3,
      });
      for (let i = 0; i < 6; i++) expect(Math.abs(estimate.perExample[i] - exact[i])).toBeLessThan(0.02);
    } finally {
      tf.dispose([x, subset]);
      model.dispose();
    }
  });
});
