import * as tf from '@tensorflow/tfjs-core';
import { dipCovariancePenalty } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { DipVAE } from './dip-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('DipVAE (type i)', {
  create: (seed) => new DipVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describeConcerns('DipVAE (type ii)', {
  create: (seed) => new DipVAE({ ...small, dipType: 'ii', seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  browser: false,
});

describe('DipVAE', () => {
  for (const dipType of ['i', 'ii'] as const) {
    it(`adds the covariance penalty of the batch's posterior to the VAE's objective (${dipType})`, async () => {
      const model = new DipVAE({ ...small, dipType, lambdaOffDiagonal: 3, seed: 1 });
      const vae = new VAE({ ...small, seed: 1 });
      const { x } = binaryPrototypes(8);
      const { total, terms } = model.trainingLoss(x, { seed: 3 });
      const plain = vae.trainingLoss(x, { seed: 3 });
      const { mean, logVar } = model.encode(x);
      const penalty = dipCovariancePenalty(mean, logVar, {
        type: dipType,
        lambdaOffDiagonal: 3,
        lambdaDiagonal: dipType === 'i' ? 30 : 3,
      });
      await expectClose(terms.regularizer, penalty, { rtol: 1e-5 });
      await expectClose(total, tf.add(plain.total, penalty), { rtol: 1e-5 });
      tf.dispose([
        x,
        total,
        mean,
        logVar,
        penalty,
        plain.total,
        ...Object.values(terms),
        ...Object.values(plain.terms),
      ]);
      model.dispose();
      vae.dispose();
    });
  }

  it('names bad config', () => {
    expect(() => new DipVAE({ dipType: 'iii' as never })).toThrow(/dipType 'iii' is not supported/);
    expect(() => new DipVAE({ lambdaOffDiagonal: -1 })).toThrow(
      /lambdaOffDiagonal must be a finite number >= 0/,
    );
  });
});
