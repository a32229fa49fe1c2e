import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { formatRatings, parseRatings, RATING_FORMATS } from './parse';
import { RatingSetBuilder } from './rating-set';
import { RatingRows } from './rows';
import { splitByTime, splitPerUser, splitRandom } from './splits';

// A small fixture: 4 users, 5 items, 9 ratings with timestamps (half stars, as MovieLens latest).
const fixture = (() => {
  const builder = new RatingSetBuilder();
  const rows: Array<[string, string, number, number]> = [
    ['1', '10', 4, 100],
    ['1', '20', 3.5, 105],
    ['2', '10', 5, 101],
    ['2', '30', 1, 120],
    ['3', '40', 2.5, 90],
    ['3', '20', 4, 95],
    ['3', '50', 0.5, 130],
    ['7', '50', 3, 99],
    ['7', '10', 4.5, 140],
  ];
  for (const [user, item, rating, timestamp] of rows)
    builder.add({ user, item, rating, timestamp }, 'fixture');
  return builder.build();
})();

const asQuadruples = (set: typeof fixture) =>
  Array.from({ length: set.size }, (_, k) => [
    set.userIds[set.users[k]],
    set.itemIds[set.items[k]],
    set.ratings[k],
    set.timestamps?.[k],
  ]);

describe('parseRatings', () => {
  it('reads the same ratings from the fixture written in every layout', () => {
    expect(fixture.numUsers).toBe(4);
    expect(fixture.numItems).toBe(5);
    for (const format of RATING_FORMATS) {
      const text = formatRatings(fixture, format);
      const set = parseRatings(text, { format });
      expect(asQuadruples(set), format).toEqual(asQuadruples(fixture));
      expect(set.userIds).toEqual(fixture.userIds);
      expect(set.itemIds).toEqual(fixture.itemIds);
    }
    expect(formatRatings(fixture, 'movielens-dat').split('\n')[0]).toBe('1::10::4::100');
    expect(formatRatings(fixture, 'movielens-csv').split('\n')[0]).toBe('userId,movieId,rating,timestamp');
  });

  it('reads triples without timestamps, CRLF line ends, a BOM, blank lines and a header', () => {
    const set = parseRatings('\ufeffuser,item,rating\r\nalice,x,5\r\n\r\nbob,y,3.5\r\nalice,y,1\r\n', {
      format: 'csv',
    });
    expect(set.size).toBe(3);
    expect(set.timestamps).toBeUndefined();
    expect(set.userIds).toEqual(['alice', 'bob']);
    expect(Array.from(set.ratings)).toEqual([5, 3.5, 1]);
    expect(parseRatings('1\t2\t3\n', { format: 'tsv' }).size).toBe(1);
  });

  it('resolves duplicate pairs by the documented policy: the last wins by default', () => {
    const text = '1::10::4::100\n2::10::3::101\n1::10::2::102\n';
    const last = parseRatings(text, { format: 'movielens-dat' });
    expect(last.size).toBe(2);
    expect(last.ratings[0]).toBe(2);
    expect(last.timestamps?.[0]).toBe(102);
    expect(parseRatings(text, { format: 'movielens-dat', duplicates: 'first' }).ratings[0]).toBe(4);
    expect(() => parseRatings(text, { format: 'movielens-dat', duplicates: 'error' })).toThrow(
      /movielens-dat line 3: user 1 rated item 10 again/,
    );
  });

  it('refuses bad lines with an error naming the line', () => {
    const bad: Array<[string, Parameters<typeof parseRatings>[1], RegExp]> = [
      [
        '1,10,4\n2,20\n',
        { format: 'csv' },
        /csv line 2: expected 3 or 4 fields separated by commas, found 2/,
      ],
      ['1,10,4\n2,20,five\n', { format: 'csv' }, /csv line 2: the rating "five" is not a number/],
      ['1,10,4\n2,20,NaN\n', { format: 'csv' }, /line 2: the rating "NaN" is not a number/],
      ['1,10,4\n,20,3\n', { format: 'csv' }, /line 2: the user id is empty/],
      ['1,10,4\n2,,3\n', { format: 'csv' }, /line 2: the item id is empty/],
      [
        '1,10,4\n2,20,9\n',
        { format: 'csv', range: [0.5, 5] },
        /line 2: the rating 9 lies outside the allowed range \[0.5, 5\]/,
      ],
      [
        '1\t10\t4\t5\n-2\t20\t3\t5\n',
        { format: 'movielens-100k' },
        /line 2: the user id "-2" is not an integer/,
      ],
      [
        '1\t10\t4\t5\n2\t99999999999\t3\t5\n',
        { format: 'movielens-100k' },
        /line 2: the item id "99999999999"/,
      ],
      [
        '1\t10\t4\t5\n2\t20\t3\tyesterday\n',
        { format: 'movielens-100k' },
        /line 2: the timestamp "yesterday"/,
      ],
      [
        '1::10::4::100\n',
        { format: 'csv' },
        /csv line 1: .*found 1; the line seems separated by '::': use format 'movielens-dat'/,
      ],
      [
        '1,10,4,100\n',
        { format: 'movielens-dat' },
        /line 1: expected 4 fields separated by '::', found 1; .*commas/,
      ],
      ['1\t10\t4\n', { format: 'movielens-100k' }, /line 1: expected 4 fields separated by tabs, found 3/],
      [
        '1,10,4,100\n',
        { format: 'movielens-csv' },
        /line 1: expected the header userId,movieId,rating,timestamp/,
      ],
      ['1,10,4\n2,20,3,77\n', { format: 'csv' }, /line 2: has a timestamp, unlike the lines before it/],
      ['userId,movieId,rating,timestamp\n', { format: 'movielens-csv' }, /no ratings found/],
      ['', { format: 'csv' }, /no ratings found/],
      ['1,10,4\n2,20,3\n3,30,3\n', { format: 'csv', maxRatings: 2 }, /line 3: more than 2 ratings/],
      // NaN would have turned the limit off
      [
        '1,10,4\n',
        { format: 'csv', maxRatings: Number.NaN },
        /maxRatings must be a positive integer, got NaN/,
      ],
      ['1,10,4\n', { format: 'csv', maxRatings: 0 }, /maxRatings must be a positive integer, got 0/],
    ];
    for (const [text, options, message] of bad)
      expect(() => parseRatings(text, options), text).toThrow(message);
  });
});

describe('splits', () => {
  const big = (() => {
    const builder = new RatingSetBuilder();
    for (let u = 0; u < 40; u++) {
      for (let i = 0; i < 25; i++) {
        if ((u * 7 + i * 3) % 4 === 0)
          builder.add({ user: `${u}`, item: `${i}`, rating: 1 + ((u + i) % 5), timestamp: u * 100 + i }, '');
      }
    }
    return builder.build();
  })();
  const key = (set: typeof big, k: number) => `${set.users[k]}:${set.items[k]}`;
  const keys = (set: typeof big) => new Set(Array.from({ length: set.size }, (_, k) => key(set, k)));

  it('splitRandom holds out 10 % at random, disjoint and complete, the same for the same seed', () => {
    const { train, test } = splitRandom(big, { seed: 3 });
    expect(test.size).toBe(Math.round(0.1 * big.size));
    expect(train.size + test.size).toBe(big.size);
    const trainKeys = keys(train);
    for (const k of keys(test)) expect(trainKeys.has(k)).toBe(false);
    expect(train.numUsers).toBe(big.numUsers);
    expect(train.numItems).toBe(big.numItems);
    expect(keys(splitRandom(big, { seed: 3 }).test)).toEqual(keys(test));
    expect(keys(splitRandom(big, { seed: 4 }).test)).not.toEqual(keys(test));
    expect(() => splitRandom(big, { testFraction: 1 })).toThrow(
      /testFraction must lie strictly between 0 and 1/,
    );
  });

  it('splitPerUser holds out a fraction of every user and leaves every user training ratings', () => {
    const { train, test } = splitPerUser(big, { testFraction: 0.2, seed: 1 });
    const trainCounts = train.countsPerUser();
    const testCounts = test.countsPerUser();
    const all = big.countsPerUser();
    for (let u = 0; u < big.numUsers; u++) {
      expect(trainCounts[u]).toBeGreaterThan(0);
      expect(testCounts[u]).toBe(Math.max(1, Math.round(0.2 * all[u])));
    }
  });

  it('splitByTime holds out the latest ratings', () => {
    const { train, test } = splitByTime(big, { testFraction: 0.25 });
    const latestTrain = Math.max(...(train.timestamps as Float64Array));
    const earliestTest = Math.min(...(test.timestamps as Float64Array));
    expect(latestTrain).toBeLessThan(earliestTest);
    expect(test.size).toBe(big.size - Math.round(0.75 * big.size));
    const untimed = parseRatings('1,2,3\n', { format: 'csv' });
    expect(() => splitByTime(untimed)).toThrow(/no timestamps/);
  });
});

describe('RatingRows', () => {
  it('builds user and item rows sparsely in the [batch, 2, columns] layout, without leaks', async () => {
    const byUser = new RatingRows(fixture, 'user');
    expect(byUser.size).toBe(4);
    expect(byUser.itemShape).toEqual([2, 5]);
    const x = await expectNoLeaks(() => byUser.batch([2, 0]), 1);
    // user '3' (index 2) rated items 40 (index 3) 2.5, 20 (index 1) 4, 50 (index 4) 0.5
    expect(x.arraySync()).toEqual([
      [
        [0, 4, 0, 2.5, 0.5],
        [0, 1, 0, 1, 1],
      ],
      [
        [4, 3.5, 0, 0, 0],
        [1, 1, 0, 0, 0],
      ],
    ]);
    x.dispose();
    const byItem = new RatingRows(fixture, 'item');
    expect(byItem.size).toBe(5);
    expect(byItem.itemShape).toEqual([2, 4]);
    const y = byItem.batch([0]);
    // item '10' rated by users 1 (4), 2 (5), 7 (4.5)
    expect(Array.from(y.dataSync())).toEqual([4, 5, 0, 4.5, 1, 1, 0, 1]);
    y.dispose();
    expect(() => byItem.batch([5])).toThrow(/row 5 is outside \[0, 5\)/);
  });
});
