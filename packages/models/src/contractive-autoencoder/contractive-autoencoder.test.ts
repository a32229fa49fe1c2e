import * as tf from '@tensorflow/tfjs-core';
import { contractivePenalty, denseContractivePenalty } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { ContractiveAutoencoder } from './contractive-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 8 };

describeConcerns('ContractiveAutoencoder', {
  create: (seed) => new ContractiveAutoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
});

describe('ContractiveAutoencoder', () => {
  it("adds lambda |J_x(h)|_F^2 with core's closed form for the one-layer sigmoid encoder", async () => {
    const model = new ContractiveAutoencoder({ ...small, contractiveWeight: 0.5, seed: 1 });
    const { x } = binaryPrototypes(8);
    const code = model.encode(x);
    const { terms } = model.trainingLoss(x);
    const kernel = model.variables['encoder/code/kernel'];
    await expectClose(terms.regularizer, tf.mul(0.5, denseContractivePenalty(code, kernel)));
    // the closed form agrees with the Jacobian by automatic differentiation (the value; not its gradient)
    const rows = tf.reshape(x, [8, 16]);
    const bias = model.variables['encoder/code/bias'];
    const encoder = (input: tf.Tensor) => tf.sigmoid(tf.add(tf.matMul(input, kernel), bias));
    const autodiff = contractivePenalty(encoder, rows, { reduction: 'none' });
    await expectClose(model.jacobianNorm(x), autodiff, { rtol: 1e-3 });
    tf.dispose([x, code, rows, autodiff, ...Object.values(terms)]);
    model.dispose();
  });
});
