import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { checkVariableGradients, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { m2Alpha, resolveM2Config } from './m2.config';
import { M2 } from './m2.model';

const K = 3;
const tiny = {
  inputShape: [4],
  hiddenUnits: [5],
  classifierHiddenUnits: [4],
  latentDim: 2,
  numClasses: K,
  activation: 'tanh' as const,
  alpha: 0.7,
  seed: 1,
};
const X = [
  [1, 0, 1, 0],
  [0, 1, 1, 1],
];

describeConcerns('M2', {
  create: (seed) => new M2({ inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, numClasses: 4, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

async function rows(t: tf.Tensor): Promise<number[][]> {
  return (await t.array()) as number[][];
}

describe('M2: the bounds against closed forms and an enumeration over labels', () => {
  it('-L(x, y) = -log p(x | y, z) + KL(q(z|x,y) || N(0, I)) + log K, with the enumeration noise', async () => {
    const model = new M2(tiny);
    const x = tf.tensor2d(X);
    const seed = 11;
    const terms = model.boundTerms(x, { seed });
    const reconstruction = await rows(terms.reconstruction);
    const kl = await rows(terms.kl);
    // The enumeration draws one eps per (class, example), rows k * batch + i, as reparameterize does.
    const eps = tf.randomNormal([K * 2, 2], 0, 1, 'float32', seed);
    for (let k = 0; k < K; k++) {
      const { mean, logVar } = model.encode(x, [k, k]);
      const m = await rows(mean);
      const lv = await rows(logVar);
      const e = await rows(tf.slice(eps, [k * 2, 0], [2, 2]));
      const z = tf.tensor2d(m.map((row, i) => row.map((mu, j) => mu + Math.exp(lv[i][j] / 2) * e[i][j])));
      const logLikelihood = await model.logLikelihood(x, z, [k, k]).data();
      for (let i = 0; i < 2; i++) {
        const klByHand = m[i].reduce(
          (s, mu, j) => s + 0.5 * (mu * mu + Math.exp(lv[i][j]) - 1 - lv[i][j]),
          0,
        );
        expect(kl[i][k]).toBeCloseTo(klByHand, 5);
        expect(reconstruction[i][k]).toBeCloseTo(-logLikelihood[i], 4);
      }
      // The labelled objective of a batch labelled k: mean over examples of -L(x, k) + alpha * -log q(k | x).
      const q = await rows(model.classProbabilities(x));
      const { total, terms: parts } = model.trainingLoss(x, { seed, labels: tf.tensor1d([k, k], 'int32') });
      const byHand =
        [0, 1].reduce(
          (s, i) => s + reconstruction[i][k] + kl[i][k] + Math.log(K) - tiny.alpha * Math.log(q[i][k]),
          0,
        ) / 2;
      expect((await total.data())[0]).toBeCloseTo(byHand, 4);
      expect((await parts.regularizer.data())[0]).toBeCloseTo(
        (-tiny.alpha * (Math.log(q[0][k]) + Math.log(q[1][k]))) / 2,
        5,
      );
    }
  });

  it('-U(x) = sum_y q(y|x) (-L(x, y)) - H(q(y|x)), enumerated by hand; mixed batches add each kind', async () => {
    const model = new M2(tiny);
    const x = tf.tensor2d(X);
    const seed = 5;
    const terms = model.boundTerms(x, { seed });
    const reconstruction = await rows(terms.reconstruction);
    const kl = await rows(terms.kl);
    const q = await rows(model.classProbabilities(x));
    const negL = (i: number, k: number) => reconstruction[i][k] + kl[i][k] + Math.log(K);
    const negU = (i: number) => {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += q[i][k] * negL(i, k) + q[i][k] * Math.log(q[i][k]);
      return sum;
    };
    const unlabelled = model.trainingLoss(x, { seed, labels: tf.tensor1d([-1, -1], 'int32') });
    expect((await unlabelled.total.data())[0]).toBeCloseTo((negU(0) + negU(1)) / 2, 4);
    expect((await unlabelled.terms.regularizer.data())[0]).toBe(0);
    const noLabels = model.trainingLoss(x, { seed });
    expect((await noLabels.total.data())[0]).toBeCloseTo((negU(0) + negU(1)) / 2, 4);
    const mixed = model.trainingLoss(x, { seed, labels: tf.tensor1d([2, -1], 'int32') });
    const expected = (negL(0, 2) - tiny.alpha * Math.log(q[0][2]) + negU(1)) / 2;
    expect((await mixed.total.data())[0]).toBeCloseTo(expected, 4);
    // the terms add up to the total
    const t = mixed.terms;
    const sum =
      (await t.reconstruction.data())[0] + (await t.weightedKl.data())[0] + (await t.regularizer.data())[0];
    expect(sum).toBeCloseTo((await mixed.total.data())[0], 4);
    // score: -L for labelled examples, -U for unlabelled ones
    const scores = await model.score(tensorSource(x, [1, -1]), { seed: 0 });
    expect(scores.every(Number.isFinite)).toBe(true);
  });

  it("weights z's KL by the step's weight of fit's klSchedule (the VAE's one owner), the label's KL by 1", async () => {
    const model = new M2(tiny);
    const x = tf.tensor2d(X);
    const seed = 3;
    const labels = tf.tensor1d([0, 2], 'int32');
    const terms = model.boundTerms(x, { seed });
    const kl = await rows(terms.kl);
    const zKl = (kl[0][0] + kl[1][2]) / 2; // the labelled examples' KL of z
    const weighted = async (context: object) =>
      (await model.trainingLoss(x, { seed, labels, ...context }).terms.weightedKl.data())[0];
    // beta = 1 by default; a warm-up at step 25 of 100 weighs it 0.25; the label's KL (log K) stays.
    expect(await weighted({})).toBeCloseTo(zKl + Math.log(K), 4);
    const warmUp = { kind: 'linear' as const, steps: 100 };
    expect(await weighted({ klSchedule: warmUp, step: 25 })).toBeCloseTo(0.25 * zKl + Math.log(K), 4);
    expect(await weighted({ klSchedule: { kind: 'constant' as const, value: 0 } })).toBeCloseTo(
      Math.log(K),
      4,
    );
  });

  it('has gradients that match central differences on a mixed batch, the classifier included', async () => {
    const model = new M2({ ...tiny, seed: 2 });
    const x = tf.tensor2d(X);
    const labels = tf.tensor1d([0, -1], 'int32');
    const v = model.variables;
    const chosen = [
      'classifier/logits/kernel',
      'classifier/hidden0/bias',
      'encoder/posterior/bias',
      // split in the enumeration: x's rows once per example, the label's rows once per class
      'encoder/hidden0/kernel',
      'encoder/hidden0/bias',
      'decoder/logits/bias',
    ];
    const report = await checkVariableGradients(
      () => model.trainingLoss(x, { seed: 3, labels }).total,
      chosen.map((name) => v[name]),
    );
    expect(report.analytic.every((g) => g.every(Number.isFinite))).toBe(true);
    // unlabelled examples alone train the classifier too (through q(y|x) in U)
    const { grads, value } = tf.variableGrads(
      () => model.trainingLoss(x, { seed: 3, labels: tf.tensor1d([-1, -1], 'int32') }).total,
      [v['classifier/logits/kernel']],
    );
    const g = await grads[v['classifier/logits/kernel'].name].data();
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), x, labels]);
    model.dispose();
  });

  it('encodes without labels through its classifier, leaking nothing', async () => {
    const model = new M2(tiny);
    const x = tf.tensor2d(X);
    await expectNoLeaks(async () => {
      const codes = await model.embed(tensorSource(x));
      const predicted = await model.predict(x);
      const { mean, logVar } = model.encode(x, Array.from(predicted));
      expect(Array.from(await codes.data())).toEqual(Array.from(await mean.data()));
      tf.dispose([codes, mean, logVar]);
      tf.tidy(() => {
        model.trainingLoss(x, { seed: 1, labels: tf.tensor1d([1, -1], 'int32') });
        model.boundTerms(x, { seed: 1 });
        model.classProbabilities(x);
      });
      await model.score(tensorSource(x, [0, -1]));
      await model.evaluate(tensorSource(x));
      await model.accuracy(tensorSource(x, [0, 1]));
    });
    x.dispose();
    model.dispose();
  });

  it('checks its config and labels, naming the problem', () => {
    expect(() => resolveM2Config({ alpha: -1 })).toThrow(/M2 config: alpha must be a finite number >= 0/);
    expect(() => resolveM2Config({ classifierHiddenUnits: [0] })).toThrow(/classifierHiddenUnits/);
    const model = new M2(tiny);
    expect(() => model.encode(tf.tensor2d(X), [0, 5])).toThrow(/label 5 is not an integer in \[0, 3\) or -1/);
    model.dispose();
  });

  it("converts the paper's alpha = 0.1 N to a weight per labelled example", () => {
    expect(m2Alpha({ examples: 50_000, labelled: 100 })).toBeCloseTo(50, 10);
    expect(m2Alpha({ examples: 50_000, labelled: 100, repeats: 50 })).toBeCloseTo(1, 10);
    expect(() => m2Alpha({ examples: 10, labelled: 0 })).toThrow(/labelled must be a positive integer/);
  });
});
