import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import {
  covariance,
  orthonormalColumns,
  projectorDistance,
  topEigenvectors,
} from '../testing/linear-algebra';
import { lowRankData } from '../testing/toy';
import { LinearAutoencoder } from './linear-autoencoder.model';

describeConcerns('LinearAutoencoder', {
  create: (seed) => new LinearAutoencoder({ inputShape: [12], latentDim: 3, seed }),
  data: () => ({ x: lowRankData(16, 12, 3) }),
});

describe('LinearAutoencoder', () => {
  it("recovers PCA's principal subspace (squared error, centred inputs)", async () => {
    const data = lowRankData(256, 12, 3, 3);
    const model = new LinearAutoencoder({ inputShape: [12], latentDim: 3, seed: 1 });
    await model.fit(tensorSource(data), { epochs: 40, batchSize: 32, seed: 1, learningRate: 1e-2 });
    // the mean it centres with is the data mean
    const rows = (await data.array()) as number[][];
    const mean = Array.from({ length: 12 }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    const learnedMean = Array.from(await model.dataMean.data());
    expect(Math.max(...learnedMean.map((m, j) => Math.abs(m - mean[j])))).toBeLessThan(1e-4);
    // the decoder's columns span the top-3 principal subspace
    const basis = model.decoderBasis();
    const autoencoder = orthonormalColumns((await basis.array()) as number[][]);
    const pca = topEigenvectors(covariance(rows), 3);
    const distance = projectorDistance(autoencoder, pca);
    expect(distance).toBeLessThan(0.02); // about 0.001 here
    tf.dispose([data, basis]);
    model.dispose();
  });

  it('is linear by definition: the config says so', () => {
    expect(() => new LinearAutoencoder({ codeActivation: 'sigmoid' })).toThrow(
      /activations must be 'linear'/,
    );
    expect(() => new LinearAutoencoder({ hiddenUnits: [8] })).toThrow(/one linear map each way/);
    const model = new LinearAutoencoder({ inputShape: [12], latentDim: 2 });
    expect(model.variables['preprocess/mean'].trainable).toBe(false);
    model.dispose();
  });
});
