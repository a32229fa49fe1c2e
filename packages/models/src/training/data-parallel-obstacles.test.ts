// Which models `fit` refuses to split between data-parallel workers, and why: an objective that couples a batch's
// rows (a batch statistic under a nonlinearity) or changes state itself trains another model on shards. The refusal
// comes before any worker starts (this file registers no worker runtime), with the reason and the way out.
import * as tf from '@tensorflow/tfjs-core';
import { type KlSchedule, tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { AutoRec } from '../autorec/autorec.model';
import { BetaTCVAE } from '../beta-tcvae/beta-tcvae.model';
import { BetaVAE } from '../beta-vae/beta-vae.model';
import { DipVAE } from '../dip-vae/dip-vae.model';
import { FactorVAE } from '../factor-vae/factor-vae.model';
import { InfoVAE } from '../info-vae/info-vae.model';
import { loadCheckpoint } from '../io';
import { M2 } from '../m2/m2.model';
import { MultVAE } from '../mult-vae/mult-vae.model';
import { SparseAutoencoder } from '../sparse-autoencoder/sparse-autoencoder.model';
import { memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { VQVAE } from '../vqvae/vqvae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };
const capacity: KlSchedule = { kind: 'capacity', gamma: 10, maxCapacity: 5, steps: 4 };

describe('fit refuses workers where shards would train another model', () => {
  const { x } = binaryPrototypes(8);
  const refused: Array<[string, () => { fit: VAE['fit']; dispose(): void }, KlSchedule | undefined, RegExp]> =
    [
      [
        'InfoVAE',
        () => new InfoVAE({ ...small, seed: 1 }),
        undefined,
        /MMD term compares the whole batch's codes/,
      ],
      [
        'DipVAE',
        () => new DipVAE({ ...small, seed: 1 }),
        undefined,
        /covariance of the whole batch's posterior means/,
      ],
      ['BetaTCVAE', () => new BetaTCVAE({ ...small, seed: 1 }), undefined, /total-correlation estimate/],
      [
        'SparseAutoencoder (KL sparsity)',
        () => new SparseAutoencoder({ ...small, seed: 1 }),
        undefined,
        /mean activation.*sparsity: 'l1' can be/,
      ],
      [
        'VQVAE (EMA codebook)',
        () => new VQVAE({ inputShape: [4, 4, 1], hiddenUnits: [8], codebookUpdate: 'ema', seed: 1 }),
        undefined,
        /moving averages updated inside each step/,
      ],
      [
        'BetaVAE (capacity)',
        () => new BetaVAE({ ...small, capacity, seed: 1 }),
        undefined,
        /capacity schedule/,
      ],
      ["VAE (fit's capacity schedule)", () => new VAE({ ...small, seed: 1 }), capacity, /capacity schedule/],
    ];
  for (const [name, make, klSchedule, reason] of refused) {
    it(`${name}: a clear error before any worker starts; the model is untouched`, async () => {
      const model = make();
      const before = tf.memory().numTensors;
      await expect(
        model.fit(tensorSource(x), { epochs: 1, batchSize: 4, seed: 1, workers: 2, klSchedule }),
      ).rejects.toThrow(
        new RegExp(`cannot train with workers: .*${reason.source}.*Train it without workers`),
      );
      expect(tf.memory().numTensors).toBe(before);
      // one replica is this thread alone: allowed
      await model.fit(tensorSource(x), { epochs: 1, batchSize: 4, seed: 1, workers: 1, klSchedule });
      model.dispose();
    });
  }

  it("a resumed run's capacity schedule (from its checkpoint, not fit's options) is refused too, leak-free", async () => {
    const model = new VAE({ ...small, seed: 1 });
    const handler = memoryHandler();
    await model.fit(tensorSource(x), {
      epochs: 1,
      batchSize: 4,
      seed: 1,
      klSchedule: capacity,
      checkpoint: { handler },
    });
    model.dispose();
    const loaded = await loadCheckpoint(handler);
    const before = tf.memory().numTensors;
    await expect(
      (loaded.model as VAE).fit(tensorSource(x), { epochs: 2, resumeFrom: loaded.checkpoint, workers: 2 }),
    ).rejects.toThrow(/cannot train with workers: a capacity schedule/);
    expect(tf.memory().numTensors).toBe(before);
    loaded.checkpoint.dispose();
    loaded.model.dispose();
  });

  it('FactorVAE: refused for 2 workers (its discriminator), trained with workers: 1', async () => {
    const model = new FactorVAE({ ...small, seed: 1 });
    await expect(
      model.fit(tensorSource(x), { epochs: 1, batchSize: 4, seed: 1, workers: 2 }),
    ).rejects.toThrow(/second objective .* train it without workers/);
    await model.fit(tensorSource(x), { epochs: 1, batchSize: 4, seed: 1, workers: 1 });
    model.dispose();
  });

  it('splittable settings report no obstacle', () => {
    const models = [
      new VAE({ ...small, seed: 1 }),
      new SparseAutoencoder({ ...small, sparsity: 'l1', seed: 1 }),
      new VQVAE({ inputShape: [4, 4, 1], hiddenUnits: [8], seed: 1 }),
      new M2({ ...small, numClasses: 2, seed: 1 }),
      new MultVAE({ items: 6, hiddenUnits: [4], latentDim: 2, seed: 1 }),
    ];
    for (const m of models) expect(m.dataParallelObstacle(), m.className).toBeNull();
    // M2 weights its KL linearly even under a capacity schedule (its gamma)
    expect(models[3].dataParallelObstacle()).toBeNull();
    expect(models[4].dataParallelObstacle(capacity)).toMatch(/capacity schedule/);
    expect(models[0].dataParallelObstacle({ kind: 'linear', from: 0, to: 1, steps: 10 })).toBeNull();
    for (const m of models) m.dispose();
  });

  it('AutoRec hands its replicas the training rows its weight decay is divided by, and checks what it gets', () => {
    const model = new AutoRec({ columns: 5, hiddenUnits: 3, seed: 1 });
    expect(model.replicaState()).toEqual({ trainingRows: 1 });
    model.restoreReplicaState({ trainingRows: 40 });
    expect(model.replicaState()).toEqual({ trainingRows: 40 });
    for (const bad of [null, {}, { trainingRows: 0 }, { trainingRows: 1.5 }, { trainingRows: '4' }]) {
      expect(() => model.restoreReplicaState(bad)).toThrow(/trainingRows, a positive integer/);
    }
    model.dispose();
  });
});
