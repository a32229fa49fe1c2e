/** The disentangling VAEs' objectives give finite gradients for every variable the optimizers train. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BetaTCVAE } from '../beta-tcvae/beta-tcvae.model';
import { DipVAE } from '../dip-vae/dip-vae.model';
import { FactorVAE } from '../factor-vae/factor-vae.model';
import { InfoVAE } from '../info-vae/info-vae.model';
import { binaryPrototypes } from '../testing/toy';
import { type AuxiliaryObjective, auxiliaryVariables, mainVariables } from '../training/trainable';
import type { RegularizedVAE } from './regularized-vae';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3, seed: 1 };
const models: Array<[string, () => RegularizedVAE]> = [
  ['BetaTCVAE (mss)', () => new BetaTCVAE({ ...small, estimator: 'mss', alpha: 2, gamma: 3 })],
  ['FactorVAE', () => new FactorVAE({ ...small, discriminatorUnits: [8] })],
  ['DipVAE (ii)', () => new DipVAE({ ...small, dipType: 'ii' })],
  ['InfoVAE (alpha 0.5)', () => new InfoVAE({ ...small, alpha: 0.5, kernel: 'rbf' })],
];

describe('disentangling VAEs: gradients', () => {
  for (const [name, create] of models) {
    it(`${name}: finite, non-zero gradients for every trained variable, no tensor left`, async () => {
      const model = create();
      const { x } = binaryPrototypes(8);
      const before = tf.memory().numTensors;
      const check = async (grads: tf.NamedTensorMap, expected: string[]) => {
        expect(Object.keys(grads).sort()).toEqual(expected.sort());
        for (const [key, g] of Object.entries(grads)) {
          const values = await g.data();
          expect(values.every(Number.isFinite), key).toBe(true);
          expect(
            values.some((v) => v !== 0),
            key,
          ).toBe(true);
        }
        tf.dispose(Object.values(grads));
      };
      const main = mainVariables(model);
      const { value, grads } = tf.variableGrads(
        () => model.trainingLoss(x, { seed: 2 }).total,
        Object.values(main),
      );
      value.dispose();
      await check(
        grads,
        Object.keys(main).map((k) => main[k].name),
      );
      const auxiliary = (model as { auxiliaryObjective?: AuxiliaryObjective }).auxiliaryObjective;
      if (auxiliary) {
        const variables = auxiliaryVariables(model);
        const result = tf.variableGrads(() => auxiliary.loss(x, { seed: 2 }), Object.values(variables));
        result.value.dispose();
        await check(
          result.grads,
          Object.keys(variables).map((k) => variables[k].name),
        );
      }
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }
});
