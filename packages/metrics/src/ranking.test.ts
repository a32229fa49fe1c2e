import { describe, expect, it } from 'vitest';
import { itemsByUser, ratingErrors, splitTopNMetrics, topN, topNMetrics } from './ranking';

const triples = (users: number[], items: number[], ratings: number[], numUsers = 3, numItems = 4) => ({
  numUsers,
  numItems,
  size: ratings.length,
  users,
  items,
  ratings,
});

describe('ratingErrors', () => {
  it('computes RMSE and MAE by hand, with clipping to the range', () => {
    const test = triples([0, 1, 2], [0, 1, 2], [4, 2, 5]);
    // predictions 3.5, 2.5, 6 (clipped to 5): errors -0.5, 0.5, 0
    const result = ratingErrors(test, [3.5, 2.5, 6], { range: [1, 5] });
    expect(result.rmse).toBeCloseTo(Math.sqrt((0.25 + 0.25) / 3), 12);
    expect(result.mae).toBeCloseTo(1 / 3, 12);
    expect(result.count).toBe(3);
    // unclipped, the third error is 1
    expect(ratingErrors(test, [3.5, 2.5, 6]).rmse).toBeCloseTo(Math.sqrt(1.5 / 3), 12);
  });

  it('gives unseen users or items the default (the middle of the range, or the training mean)', () => {
    const train = triples([0, 0, 1], [0, 1, 1], [5, 4, 3]);
    // user 2 and item 3 have no training ratings
    const test = triples([0, 2, 1], [3, 0, 0], [4, 1, 2]);
    const middle = ratingErrors(test, [10, 10, 2.5], { train, range: [1, 5] });
    expect(middle.unseen).toBe(2);
    // predictions 3, 3, 2.5 -> errors -1, 2, 0.5
    expect(middle.rmse).toBeCloseTo(Math.sqrt((1 + 4 + 0.25) / 3), 12);
    const mean = ratingErrors(test, [10, 10, 2], { train });
    expect(mean.mae).toBeCloseTo((0 + 3 + 0) / 3, 12);
    expect(ratingErrors(test, [0, 0, 2], { train, defaultRating: 1 }).mae).toBeCloseTo(1, 12);
  });

  it('refuses mismatched inputs and non-finite predictions', () => {
    const test = triples([0], [0], [4]);
    expect(() => ratingErrors(test, [1, 2])).toThrow(/2 predictions for 1 test ratings/);
    expect(() => ratingErrors(test, [Number.NaN])).toThrow(/prediction 0 is NaN/);
    expect(() => ratingErrors(test, [1], { train: triples([0], [0], [4], 2, 4) })).toThrow(
      /share its id maps/,
    );
  });
});

describe('topNMetrics', () => {
  it('excludes seen items and matches Recall@k and NDCG@k computed by hand', () => {
    // 6 items; user 0 scores descending by index except the seen item 0, which has the top score.
    const scores = [
      [9, 5, 4, 3, 2, 1],
      [1, 2, 3, 4, 5, 6],
    ];
    const seen = [[0], [5]];
    const heldOut = [[2, 4], [0]];
    // user 0: list (seen 0 excluded) = 1, 2, 3, 4, 5; hits at ranks 1 (item 2) and 3 (item 4)
    // user 1: list = 4, 3, 2, 1, 0; the held-out item 0 is at rank 4
    expect(topN(scores[0], 3, seen[0])).toEqual([1, 2, 3]);
    const m = topNMetrics({ scores, heldOut, seen }, [1, 2, 5]);
    expect(m.users).toBe(2);
    // Recall@1: user 0: 0 / min(1, 2); user 1: 0 / 1
    expect(m.recall[1]).toBe(0);
    // Recall@2: user 0: 1 / 2; user 1: 0
    expect(m.recall[2]).toBeCloseTo(0.25, 12);
    // Recall@5: user 0: 2 / 2; user 1: 1 / 1
    expect(m.recall[5]).toBeCloseTo(1, 12);
    const ndcg0at2 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
    expect(m.ndcg[2]).toBeCloseTo(ndcg0at2 / 2, 12);
    const ndcg0at5 = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    const ndcg1at5 = 1 / Math.log2(6);
    expect(m.ndcg[5]).toBeCloseTo((ndcg0at5 + ndcg1at5) / 2, 12);
  });

  it('skips users without held-out items and checks its inputs', () => {
    const m = topNMetrics(
      {
        scores: [
          [1, 2],
          [2, 1],
        ],
        heldOut: [[], [0]],
      },
      [1],
    );
    expect(m.users).toBe(1);
    expect(m.recall[1]).toBe(1);
    expect(m.ndcg[1]).toBe(1);
    expect(() => topNMetrics({ scores: [[1]], heldOut: [[]] }, [1])).toThrow(/no user has held-out items/);
    expect(() => topNMetrics({ scores: [[1]], heldOut: [[0]] }, [0])).toThrow(/positive integer/);
    expect(() => topNMetrics({ scores: [[1]], heldOut: [] }, [1])).toThrow(/one entry per user/);
  });
});

describe('splitTopNMetrics', () => {
  // train: user 0 has item 0, user 1 item 1, user 2 nothing (not evaluated); test: user 0 items 2 and 3, user 1
  // item 0, user 2 item 1
  const train = triples([0, 1], [0, 1], [1, 1]);
  const test = triples([0, 0, 1, 2], [2, 3, 0, 1], [1, 1, 1, 1]);
  const table: Record<number, number[]> = { 0: [9, 1, 5, 2], 1: [1, 9, 3, 2], 2: [0, 9, 0, 0] };

  it('groups items by user', () => {
    expect(itemsByUser(test)).toEqual([[2, 3], [0], [1]]);
    expect(itemsByUser(train)).toEqual([[0], [1], []]);
  });

  it('scores the users with training and held-out items, by hand, in any batch size', async () => {
    const asked: number[][] = [];
    const scoresOf = (users: number[]) => {
      asked.push(users);
      return users.map((u) => table[u]);
    };
    const m = await splitTopNMetrics(scoresOf, train, test, [1, 3]);
    expect(asked).toEqual([[0, 1]]);
    expect(m.users).toBe(2);
    // user 0 ranks 2, 3, 1 (0 seen): both held-out items first; user 1 ranks 2, 3, 0: its item third
    expect(m.recall[1]).toBeCloseTo(0.5, 12);
    expect(m.recall[3]).toBeCloseTo(1, 12);
    expect(m.ndcg[1]).toBeCloseTo(0.5, 12);
    expect(m.ndcg[3]).toBeCloseTo((1 + 1 / Math.log2(4)) / 2, 12);
    asked.length = 0;
    const single = await splitTopNMetrics(async (users) => scoresOf(users), train, test, [1, 3], {
      batchSize: 1,
    });
    expect(asked).toEqual([[0], [1]]);
    expect(single).toEqual(m);
    // the same as topNMetrics over those users at once
    expect(
      topNMetrics({ scores: [table[0], table[1]], heldOut: [[2, 3], [0]], seen: [[0], [1]] }, [1, 3]),
    ).toEqual(m);
  });

  it('refuses splits of different sets, no evaluable user, and scores of the wrong size', async () => {
    const scoresOf = (users: number[]) => users.map((u) => table[u]);
    await expect(splitTopNMetrics(scoresOf, train, triples([0], [0], [1], 3, 5), [1])).rejects.toThrow(
      /share its id maps/,
    );
    await expect(splitTopNMetrics(scoresOf, train, triples([2], [1], [1]), [1])).rejects.toThrow(
      /no user has both/,
    );
    await expect(splitTopNMetrics((users) => users.map(() => [1, 2]), train, test, [1])).rejects.toThrow(
      /2 scores for 4 items/,
    );
    await expect(splitTopNMetrics(() => [], train, test, [1])).rejects.toThrow(/0 score arrays for 2 users/);
    await expect(splitTopNMetrics(scoresOf, train, test, [1], { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
