/**
 * Recommenders end to end on a synthetic low-rank rating matrix made here (rank 2, Gaussian noise of standard
 * deviation 0.5, 20 % observed): ratings from @vae/data's rating sets, split and rows, I-AutoRec trained by `fit` of
 * @vae/models, the baselines beside it, errors from @vae/metrics. The noise floor is the noise's standard deviation:
 * no predictor has a lower expected RMSE on held-out ratings. (At a few percent observed, matrices small enough to
 * train in a test here leave even biased MF far above the floor, so the test observes 20 %.)
 */
import { Random } from '@vae/core';
import { RatingRows, RatingSetBuilder, splitRandom } from '@vae/data';
import { ratingErrors } from '@vae/metrics';
import { AutoRec, BiasBaseline, BiasedMF, GlobalMean } from '@vae/models';
import { describe, expect, it } from 'vitest';

const USERS = 300;
const ITEMS = 150;
const RANK = 2;
const NOISE = 0.5;
const OBSERVED = 0.2;

/** r_ui = 3 + b_u + b_i + p_u . q_i + noise, observed with probability OBSERVED; real-valued (no rounding). */
function syntheticRatings(seed: number) {
  const random = new Random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const P = Array.from({ length: USERS * RANK }, normal);
  const Q = Array.from({ length: ITEMS * RANK }, () => normal() / Math.sqrt(RANK));
  const userBias = Array.from({ length: USERS }, () => 0.3 * normal());
  const itemBias = Array.from({ length: ITEMS }, () => 0.3 * normal());
  const builder = new RatingSetBuilder({ duplicates: 'error' });
  for (let u = 0; u < USERS; u++) {
    for (let i = 0; i < ITEMS; i++) {
      if (random.next() >= OBSERVED) continue;
      let dot = 0;
      for (let d = 0; d < RANK; d++) dot += P[u * RANK + d] * Q[i * RANK + d];
      const rating = 3 + userBias[u] + itemBias[i] + dot + NOISE * normal();
      builder.add({ user: `u${u}`, item: `i${i}`, rating }, `synthetic ${u},${i}`);
    }
  }
  return builder.build();
}

describe('recommenders on a synthetic low-rank matrix', () => {
  it('I-AutoRec approaches the noise floor and beats the bias baseline', async () => {
    const set = syntheticRatings(7);
    const { train, test } = splitRandom(set, { seed: 1 });
    const rmse = (predictions: ArrayLike<number>) => ratingErrors(test, predictions, { train }).rmse;
    const mean = rmse(new GlobalMean(train).predict(test.users, test.items));
    const bias = rmse(new BiasBaseline(train).predict(test.users, test.items));
    const mf = rmse(
      new BiasedMF(train, { factors: 10, epochs: 60, seed: 3 }).predict(test.users, test.items),
    );
    const rows = new RatingRows(train, 'item');
    const model = new AutoRec({
      kind: 'item',
      columns: rows.columns,
      hiddenUnits: 20,
      weightDecay: 10,
      seed: 11,
    });
    const history = await model.fit(rows, { epochs: 150, batchSize: 50, learningRate: 2e-2, seed: 5 });
    const autorec = rmse(await model.predict(rows, test));
    model.dispose();
    // Measured here (cpu): mean 1.12, biases 1.06, I-AutoRec 0.65, biased MF 0.56, floor 0.5.
    expect(history.epochs.at(-1)?.train.total).toBeLessThan(history.epochs[0].train.total);
    expect(bias).toBeLessThan(mean);
    expect(autorec).toBeLessThan(1.4 * NOISE);
    expect(autorec).toBeLessThan(0.7 * bias);
    expect(mf).toBeLessThan(0.7 * bias);
  }, 300_000);
});
