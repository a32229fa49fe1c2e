import * as tf from '@tensorflow/tfjs-core';
import { l1Penalty, sparsityPenalty } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { SparseAutoencoder } from './sparse-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 24 };

describeConcerns('SparseAutoencoder (KL to rho)', {
  create: (seed) => new SparseAutoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
});

describeConcerns('SparseAutoencoder (L1 on the code)', {
  create: (seed) =>
    new SparseAutoencoder({ ...small, sparsity: 'l1', codeActivation: 'relu', sparsityWeight: 0.01, seed }),
  data: () => binaryPrototypes(16),
  browser: false,
});

describe('SparseAutoencoder', () => {
  it("adds core's sparsity penalty (KL) or L1 penalty on the code, weighted", async () => {
    const { x } = binaryPrototypes(8);
    const kl = new SparseAutoencoder({ ...small, rho: 0.1, sparsityWeight: 2, seed: 1 });
    const code = kl.encode(x);
    const a = kl.trainingLoss(x);
    await expectClose(a.terms.regularizer, tf.mul(2, sparsityPenalty(code, 0.1)));
    const l1 = new SparseAutoencoder({
      ...small,
      sparsity: 'l1',
      codeActivation: 'relu',
      sparsityWeight: 0.5,
      seed: 1,
    });
    const code1 = l1.encode(x);
    const b = l1.trainingLoss(x);
    await expectClose(b.terms.regularizer, tf.mul(0.5, l1Penalty(code1)));
    tf.dispose([x, code, code1, a.total, b.total, ...Object.values(a.terms), ...Object.values(b.terms)]);
    kl.dispose();
    l1.dispose();
  });

  it('needs sigmoid codes for the KL penalty', () => {
    expect(() => new SparseAutoencoder({ codeActivation: 'relu' })).toThrow(/needs sigmoid codes/);
    expect(() => new SparseAutoencoder({ rho: 1.5 })).toThrow(/rho must be a number in \(0, 1\)/);
  });
});
