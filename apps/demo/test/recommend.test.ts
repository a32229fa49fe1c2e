/** The Recommendations view's data and lists, and the worker's run, in Node (the page's training: the e2e tests). */
import { describe, expect, it } from 'vitest';
import {
  firstUserWithHeldOut,
  hits,
  itemLabel,
  listItems,
  parseUser,
  popularityRanks,
} from '../src/recommend-lists';
import type { FromRecommendWorker } from '../src/recommend-messages';
import { RECOMMEND_DATA, recommendData } from '../src/recommend-setup';

describe('the recommendations data', () => {
  const data = recommendData({ seed: 1 });

  it('is the seeded synthetic set, its likes split per user with the same id maps', () => {
    const { ratings, train, test, trainItems, testItems } = data;
    expect(ratings.numUsers).toBe(RECOMMEND_DATA.users);
    expect(ratings.numItems).toBe(RECOMMEND_DATA.items);
    expect(ratings.size).toBe(
      RECOMMEND_DATA.users * Math.round(RECOMMEND_DATA.items * RECOMMEND_DATA.density),
    );
    let likes = 0;
    for (const r of ratings.ratings) if (r >= RECOMMEND_DATA.minRating) likes++;
    expect(train.size + test.size).toBe(likes);
    expect(train.itemIds).toBe(ratings.itemIds);
    expect(test.userIds).toBe(ratings.userIds);
    for (let u = 0; u < ratings.numUsers; u++) {
      const held = new Set(testItems[u]);
      expect(trainItems[u].some((item) => held.has(item))).toBe(false);
      const n = trainItems[u].length + testItems[u].length;
      // a fifth held out, at least one of two or more, never all
      if (n >= 2) expect(testItems[u].length).toBe(Math.min(n - 1, Math.max(1, Math.round(0.2 * n))));
      else expect(testItems[u]).toHaveLength(0);
    }
    // the same seed gives the same split, another seed another one
    const again = recommendData({ seed: 1 });
    expect(Array.from(again.test.items)).toEqual(Array.from(test.items));
    expect(Array.from(recommendData({ seed: 2 }).test.items)).not.toEqual(Array.from(test.items));
  });

  it('ranks items by training likes, most first, ties by index', () => {
    expect(Array.from(popularityRanks([3, 7, 3, 0]))).toEqual([2, 1, 3, 4]);
    const counts = new Float32Array(data.train.numItems);
    for (const item of data.train.items) counts[item]++;
    const ranks = popularityRanks(counts);
    expect(new Set(ranks).size).toBe(counts.length);
    const first = ranks.indexOf(1);
    expect(counts[first]).toBe(Math.max(...counts));
  });
});

describe('the lists', () => {
  const ids = ['i4', 'i0', 'i2', 'weird'];
  const ranks = [2, 1, 4, 3];

  it('labels items by their generated id and popularity rank, marks the held-out ones, skips padding', () => {
    expect(itemLabel('i17')).toBe('item 17');
    expect(itemLabel('movie 3')).toBe('movie 3');
    const list = listItems(Int32Array.from([1, 3, 0, -1, -1]), ids, ranks, new Set([3]));
    expect(list).toEqual([
      { item: 1, label: 'item 0', popularityRank: 1, heldOut: false },
      { item: 3, label: 'weird', popularityRank: 3, heldOut: true },
      { item: 0, label: 'item 4', popularityRank: 2, heldOut: false },
    ]);
    expect(hits(list)).toBe(1);
    expect(hits([])).toBe(0);
  });

  it('reads the user from the address, and finds a user with held-out items', () => {
    expect(parseUser('5', 600)).toBe(5);
    expect(parseUser('0', 600)).toBe(0);
    for (const bad of [null, '', '-1', '600', '1.5', '1e2', ' 3', 'abc', '99999999']) {
      expect(parseUser(bad, 600), String(bad)).toBeUndefined();
    }
    expect(firstUserWithHeldOut([[], [], [4], []])).toBe(2);
    expect(firstUserWithHeldOut([[1], [], [4], []], 3)).toBe(0);
    expect(firstUserWithHeldOut([[], []], 1)).toBe(1);
  });
});

describe("the worker's run (runRecommend), in Node on the cpu backend", () => {
  it('trains, scores and ranks with no tensor left, and an abort stops it with none left either', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { runRecommend } = await import('../src/recommend-run');
    const backend = { backend: 'cpu', failures: [] };
    const before = tf.memory().numTensors;
    const messages: FromRecommendWorker[] = [];
    await runRecommend(
      { seed: 1, model: 'mult-vae', epochs: 1 },
      backend,
      (m) => messages.push(m),
      new AbortController().signal,
    );
    expect(tf.memory().numTensors).toBe(before);
    const result = messages.find((m) => m.type === 'recommend-result');
    if (result?.type !== 'recommend-result') throw new Error('no recommend-result message');
    expect(result.lists).toHaveLength(RECOMMEND_DATA.users * result.top);
    for (const k of [10, 20]) {
      expect(result.scores.recall[k]).toBeGreaterThan(0);
      expect(result.scores.recall[k]).toBeLessThanOrEqual(1);
    }
    expect(messages.filter((m) => m.type === 'recommend-epoch')).toHaveLength(1);
    expect(messages.at(-1)).toMatchObject({ type: 'recommend-done', aborted: false });

    // aborted after the first step: no result, no tensor left
    const abort = new AbortController();
    const aborted: FromRecommendWorker[] = [];
    await runRecommend(
      { seed: 2, model: 'mult-dae', epochs: 3 },
      backend,
      (m) => {
        aborted.push(m);
        if (m.type === 'recommend-step') abort.abort();
      },
      abort.signal,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(aborted.some((m) => m.type === 'recommend-result')).toBe(false);
    expect(aborted.at(-1)).toMatchObject({ type: 'recommend-done', aborted: true });
  }, 120_000);
});
