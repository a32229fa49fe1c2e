import { describe, expect, it } from 'vitest';
import { BiasBaseline, BiasedMF, GlobalMean, Popularity } from './baselines';

const triples = (
  users: number[],
  items: number[],
  ratings: number[],
  numUsers: number,
  numItems: number,
) => ({
  numUsers,
  numItems,
  size: ratings.length,
  users,
  items,
  ratings,
});

describe('rating baselines', () => {
  it('GlobalMean predicts the mean training rating', () => {
    const train = triples([0, 1, 1], [0, 0, 1], [5, 3, 1], 2, 2);
    expect(Array.from(new GlobalMean(train).predict([0, 1], [1, 0]))).toEqual([3, 3]);
  });

  it('BiasBaseline fits mu + b_u + b_i exactly on additive ratings without regularization', () => {
    // r = 3 + b_u + b_i with b_u = [1, -1, 0], b_i = [0.5, -0.5]: every pair observed but one.
    const users = [0, 0, 1, 1, 2];
    const items = [0, 1, 0, 1, 0];
    const bu = [1, -1, 0];
    const bi = [0.5, -0.5];
    const ratings = users.map((u, k) => 3 + bu[u] + bi[items[k]]);
    const model = new BiasBaseline(triples(users, items, ratings, 3, 2), { lambda: 0, sweeps: 200 });
    const predicted = model.predict([0, 1, 2, 2], [0, 1, 0, 1]);
    expect(predicted[0]).toBeCloseTo(4.5, 4);
    expect(predicted[1]).toBeCloseTo(1.5, 4);
    expect(predicted[2]).toBeCloseTo(3.5, 4);
    // the unobserved pair follows from the additive structure
    expect(predicted[3]).toBeCloseTo(2.5, 4);
    // regularization shrinks the biases towards 0
    const shrunk = new BiasBaseline(triples(users, items, ratings, 3, 2), { lambda: 100 });
    expect(Math.abs(shrunk.userBias[0])).toBeLessThan(Math.abs(model.userBias[0]));
    expect(() => model.predict([3], [0])).toThrow(/pair 0 has user index 3, outside \[0, 3\)/);
  });

  it('BiasedMF recovers a rank-1 matrix from its observed entries, the same for the same seed', () => {
    const u = [1, 2, -1, 0.5, 1.5, -2];
    const v = [1, -1, 0.5, 2];
    const users: number[] = [];
    const items: number[] = [];
    const ratings: number[] = [];
    for (let a = 0; a < u.length; a++) {
      for (let b = 0; b < v.length; b++) {
        if ((a + b) % 3 === 0) continue; // a third held out
        users.push(a);
        items.push(b);
        ratings.push(3 + u[a] * v[b]);
      }
    }
    const train = triples(users, items, ratings, u.length, v.length);
    const options = { factors: 2, epochs: 600, learningRate: 0.02, lambda: 0.001, seed: 4 };
    const model = new BiasedMF(train, options);
    const fitted = model.predict(users, items);
    const trainRmse = Math.sqrt(ratings.reduce((s, r, k) => s + (r - fitted[k]) ** 2, 0) / ratings.length);
    expect(trainRmse).toBeLessThan(0.05);
    expect(Array.from(new BiasedMF(train, options).predict([0], [0]))).toEqual(
      Array.from(model.predict([0], [0])),
    );
    expect(() => new BiasedMF(train, { factors: 0 })).toThrow(/factors must be a positive integer/);
  });

  it("Popularity scores every user with the items' training counts", () => {
    const popularity = new Popularity(triples([0, 1, 1, 2], [2, 2, 0, 2], [1, 1, 1, 1], 3, 4));
    expect(Array.from(popularity.counts)).toEqual([1, 0, 3, 0]);
    const scores = popularity.scores([0, 2]);
    expect(scores).toHaveLength(2);
    expect(Array.from(scores[1])).toEqual([1, 0, 3, 0]);
  });
});
