import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, klDivergenceStandardNormal, posteriorLogWeights } from '@vae/core';
import { expectClose, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns, inBrowser } from '../testing/concerns.test-utils';
import { expectResumable } from '../testing/resume.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { PriorVAE } from './prior-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('PriorVAE (mixture)', {
  create: (seed) => new PriorVAE({ ...small, prior: 'mixture', components: 3, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describeConcerns('PriorVAE (vamp)', {
  create: (seed) => new PriorVAE({ ...small, prior: 'vamp', components: 4, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

const LOG_TWO_PI = Math.log(2 * Math.PI);

/** log sum_k w_k N(z; mu_k, diag(exp(logVar_k))) in plain JS. */
function mixtureDensity(z: number[], means: number[][], logVars: number[][], weights: number[]): number {
  let total = 0;
  means.forEach((mu, k) => {
    let log = Math.log(weights[k]);
    mu.forEach((m, j) => {
      log += -0.5 * (LOG_TWO_PI + logVars[k][j] + (z[j] - m) ** 2 / Math.exp(logVars[k][j]));
    });
    total += Math.exp(log);
  });
  return Math.log(total);
}

const rows = async (t: tf.Tensor) => (await t.array()) as number[][];

describe('PriorVAE', () => {
  it('has the mixture-of-Gaussians log-density of its learned weights, means and variances', async () => {
    const model = new PriorVAE({ ...small, prior: 'mixture', components: 3, seed: 1 });
    const v = model.variables;
    v['prior/logVars'].assign(tf.tensor2d([0.3, -0.5, 0, 0.2, -1, 1], [3, 2]));
    v['prior/logits'].assign(tf.tensor1d([0.5, -1, 0.2]));
    const z = tf.tensor2d([0.1, -0.4, 2, 1, -1.5, 0.3], [3, 2]);
    const logPrior = model.logPrior(z);
    const means = await rows(v['prior/means']);
    const logVars = await rows(v['prior/logVars']);
    const e = [0.5, -1, 0.2].map(Math.exp);
    const weights = e.map((w) => w / e.reduce((a, b) => a + b, 0));
    const expected = (await rows(z)).map((row) => mixtureDensity(row, means, logVars, weights));
    await expectClose(logPrior, expected, { rtol: 1e-5 });
    tf.dispose([z, logPrior]);
    model.dispose();
  });

  it("has the VampPrior's log-density: the mean of the posteriors at the pseudo-inputs", async () => {
    const model = new PriorVAE({ ...small, prior: 'vamp', components: 3, seed: 2 });
    model.variables['prior/pseudoInputs'].assign(
      tf.tidy(() => tf.randomUniform([3, 16], -0.2, 1.2, 'float32', 4)),
    );
    const u = model.pseudoInputs();
    expect(Math.min(...(await u.data()))).toBeGreaterThanOrEqual(0); // the hard tanh of the paper
    const { mean, logVar } = model.encode(u);
    const z = tf.tensor2d([0.1, -0.4, 2, 1], [2, 2]);
    const logPrior = model.logPrior(z);
    const means = await rows(mean);
    const logVars = await rows(logVar);
    const direct = (await rows(z)).map((row) => mixtureDensity(row, means, logVars, [1 / 3, 1 / 3, 1 / 3]));
    await expectClose(logPrior, direct, { rtol: 1e-5 });
    tf.dispose([u, mean, logVar, z, logPrior]);
    model.dispose();
  });

  it('estimates the KL by one Monte Carlo sample, log q(z|x) - log p(z), at the reconstruction draw', async () => {
    const model = new PriorVAE({ ...small, prior: 'vamp', components: 3, seed: 3 });
    const { x } = binaryPrototypes(4);
    const { kl } = model.elboTerms(x, { seed: 9 });
    // the same draw by hand: z = mu + sigma eps from core's DiagonalGaussian with the same seed
    const { mean, logVar } = model.encode(x);
    const eps = await rows(tf.tidy(() => tf.reshape(tf.randomNormal([1, 4, 2], 0, 1, 'float32', 9), [4, 2])));
    const mu = await rows(mean);
    const lv = await rows(logVar);
    const u = model.pseudoInputs();
    const prior = model.encode(u);
    const pm = await rows(prior.mean);
    const plv = await rows(prior.logVar);
    const expected = mu.map((m, i) => {
      const z = m.map((v, j) => v + Math.exp(0.5 * lv[i][j]) * eps[i][j]);
      const logQ = mixtureDensity(z, [m], [lv[i]], [1]);
      return logQ - mixtureDensity(z, pm, plv, [1 / 3, 1 / 3, 1 / 3]);
    });
    await expectClose(kl, expected, { rtol: 1e-4, atol: 1e-4 });
    tf.dispose([x, kl, mean, logVar, u, prior.mean, prior.logVar]);
    model.dispose();
  });

  it('with one standard normal component, averages to the closed-form KL to N(0, I)', async () => {
    const model = new PriorVAE({ ...small, prior: 'mixture', components: 1, samples: 4000, seed: 4 });
    model.variables['prior/means'].assign(tf.zeros([1, 2]));
    const { x } = binaryPrototypes(4);
    const { kl } = model.elboTerms(x, { seed: 1 });
    const { mean, logVar } = model.encode(x);
    const exact = klDivergenceStandardNormal(mean, logVar, { reduction: 'none' });
    await expectClose(kl, exact, { atol: 0.05, rtol: 0.05 });
    tf.dispose([x, kl, mean, logVar, exact]);
    model.dispose();
  });

  it("gives core's importance weights (and so the metrics' log p(x)) its own prior", async () => {
    const model = new PriorVAE({ ...small, prior: 'mixture', components: 2, seed: 5 });
    const { x } = binaryPrototypes(3);
    await expectNoLeaks(async () => {
      const w = posteriorLogWeights(model, x, { importanceSamples: 2, seed: 3 });
      // log p(x|z) + log p_mixture(z) - log q(z|x) at the same draws
      const own = tf.tidy(() => {
        const { mean, logVar } = model.encode(x);
        const { z, logProb } = new DiagonalGaussian(mean, logVar).sampleWithLogProb({ samples: 2, seed: 3 });
        const flat = tf.reshape(z, [6, 2]);
        const ll = model.logLikelihood(tf.tile(tf.reshape(x, [3, 16]), [2, 1]), flat);
        return tf.reshape(tf.sub(tf.add(ll, model.logPrior(flat)), tf.reshape(logProb, [6])), [2, 3]);
      });
      await expectClose(w, own, { rtol: 1e-5 });
      tf.dispose([w, own]);
    }, 0);
    x.dispose();
    model.dispose();
  });

  it('names bad options', () => {
    expect(() => new PriorVAE({ prior: 'flow' as never })).toThrow(/prior 'flow' is not supported/);
    expect(() => new PriorVAE({ components: 0 })).toThrow(/components must be an integer/);
    const mixture = new PriorVAE({ ...small, prior: 'mixture' });
    expect(mixture.config.components).toBe(10);
    expect(() => mixture.pseudoInputs()).toThrow(/not 'vamp'/);
    mixture.dispose();
    const vamp = new PriorVAE({ ...small });
    expect(vamp.config.components).toBe(500);
    vamp.dispose();
  });

  it.skipIf(inBrowser)('resumes training from a checkpoint exactly (prior variables included)', async () => {
    const { x } = binaryPrototypes(16);
    await expectResumable(() => new PriorVAE({ ...small, prior: 'vamp', components: 3, seed: 6 }), x);
    await expectResumable(() => new PriorVAE({ ...small, prior: 'mixture', components: 3, seed: 6 }), x);
    x.dispose();
  });
});
