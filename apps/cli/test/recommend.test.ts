// `vae recommend` end to end: child processes on a small rating set written by the test in each layout, the run
// folder, the top-N list, and the errors for bad rating files and flags with their exit codes.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RATING_DATASET_NAMES, RATING_FORMATS } from '@vae/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { RATING_DATASET_CHOICES, RATING_FORMAT_CHOICES } from '../src/recommend-command';
import { assertBuilt, vae } from './helpers';

let work = '';
/** Rank-2 ratings on a 1-5 scale: 30 users x 40 items, about 40% observed, ids written as in MovieLens. */
const triples: Array<[number, number, number, number]> = [];
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-recommend-'));
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const users = Array.from({ length: 30 }, () => [next() * 2 - 1, next() * 2 - 1]);
  const items = Array.from({ length: 40 }, () => [next() * 2 - 1, next() * 2 - 1]);
  users.forEach((u, a) => {
    items.forEach((v, b) => {
      if (next() < 0.4) {
        const r = Math.min(5, Math.max(1, Math.round(3 + 2 * (u[0] * v[0] + u[1] * v[1]) + (next() - 0.5))));
        triples.push([a + 1, 100 + b, r, 978300000 + triples.length]);
      }
    });
  });
  await mkdir(join(work, 'dat'));
  await writeFile(
    join(work, 'ratings.csv'),
    `userId,movieId,rating,timestamp\n${triples.map((t) => t.join(',')).join('\n')}\n`,
  );
  await writeFile(join(work, 'u.data'), `${triples.map((t) => t.join('\t')).join('\n')}\n`);
  await writeFile(join(work, 'dat', 'ratings.dat'), `${triples.map((t) => t.join('::')).join('\n')}\n`);
});

const SMALL = ['--epochs', '2', '--hidden', '16', '--backend', 'wasm', '--seed', '3'];

describe('vae recommend', () => {
  it('offers every MovieLens set of the catalog and every reader layout', () => {
    expect([...RATING_DATASET_CHOICES]).toEqual([...RATING_DATASET_NAMES]);
    expect([...RATING_FORMAT_CHOICES]).toEqual([...RATING_FORMATS]);
  });

  it("trains I-AutoRec, reports RMSE/MAE beside the baselines, lists a user's top items, writes the run folder", async () => {
    const out = join(work, 'autorec');
    const run = await vae([
      'recommend',
      '--ratings',
      join(work, 'ratings.csv'),
      ...SMALL,
      '--user',
      '1',
      '--top',
      '3',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.model).toBe('autorec');
    expect(result.optimizer).toBe('rprop (full batch)');
    expect(result.train + result.test).toBe(triples.length);
    expect(result.test).toBe(Math.round(0.1 * triples.length));
    for (const value of [result.rmse, result.mae, result.baselines['user + item biases'].rmse]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(4);
    }
    expect(result.baselines['global mean'].rmse).toBeGreaterThan(0);
    // the top items are unrated by user 1 in training and ordered by predicted rating
    const trainedByUser1 = new Set(triples.filter((t) => t[0] === 1).map((t) => String(t[1])));
    expect(result.top).toHaveLength(3);
    const scores = result.top.map((t: { score: number }) => t.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const heldOut = result.top.filter((t: { item: string }) => trainedByUser1.has(t.item)).length;
    expect(heldOut).toBeLessThanOrEqual(result.test); // only test pairs of user 1 may appear among its rated items
    for (const name of [
      'model/model.json',
      'metrics.json',
      'config.json',
      'errors.svg',
      'ratings.svg',
      'report.html',
    ]) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(metrics.epochs[1].testRmse).toBeGreaterThan(0);
    expect(await readFile(join(out, 'ratings.svg'), 'utf8')).toContain('Predicted vs true test ratings');

    // the same ratings as u.data and ratings.dat: the readers agree, so the run is the same
    for (const file of ['u.data', join('dat', 'ratings.dat')]) {
      const again = await vae([
        'recommend',
        '--ratings',
        join(work, file),
        ...SMALL,
        '--out',
        join(work, `again-${file.length}`),
        '--json',
      ]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).rmse).toBe(result.rmse);
    }
  }, 120_000);

  it('trains Mult-VAE on the clicks and reports Recall@20 and NDCG@100 beside popularity', async () => {
    const run = await vae([
      'recommend',
      '--ratings',
      join(work, 'ratings.csv'),
      '--model',
      'mult-vae',
      '--min-rating',
      '4',
      '--test-fraction',
      '0.2',
      '--latent-dim',
      '4',
      ...SMALL,
      '--user',
      '2',
      '--out',
      join(work, 'mult'),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.train + result.test).toBe(triples.filter((t) => t[2] >= 4).length);
    for (const value of [result.recall20, result.ndcg100, result.baselines.popularity.recall20]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(result.top).toHaveLength(10);
  }, 120_000);

  it("bad rating files fail with exit code 1 and the reader's message naming the line", async () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'missing.csv',
        '1,10,5\n1,11\n',
        /missing\.csv line 2: expected 3 or 4 fields separated by commas, found 2/,
      ],
      ['words.csv', '1,10,5\n1,11,five\n', /words\.csv line 2: .*five/],
      ['semicolons.csv', '1;10;5\n1;11;4\n', /line 1: .*separated by semicolons/],
      ['twice.csv', '1,10,5\n1,10,4\n2,11,3\n', /twice\.csv line 2: user 1 rated item 10 again/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(work, name), text);
      const extra = name === 'twice.csv' ? ['--duplicates', 'error'] : [];
      const run = await vae([
        'recommend',
        '--ratings',
        join(work, name),
        ...extra,
        '--out',
        join(work, 'bad'),
      ]);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(message);
    }
    const absent = await vae([
      'recommend',
      '--ratings',
      join(work, 'nothing.csv'),
      '--out',
      join(work, 'bad'),
    ]);
    expect(absent.code).toBe(1);
  });

  it('bad flags fail with exit code 2; a catalog set without a recorded checksum is refused', async () => {
    const none = await vae(['recommend', '--out', join(work, 'flags')]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/--ratings <file> or --dataset/)]);
    const both = await vae([
      'recommend',
      '--ratings',
      'x.csv',
      '--dataset',
      'movielens-1m',
      '--out',
      join(work, 'flags'),
    ]);
    expect(both.code).toBe(2);
    const user = await vae([
      'recommend',
      '--ratings',
      join(work, 'ratings.csv'),
      '--user',
      'nobody',
      '--out',
      join(work, 'flags'),
    ]);
    expect([user.code, user.stderr]).toEqual([2, expect.stringMatching(/--user nobody has no rating/)]);
    const model = await vae(['recommend', '--ratings', join(work, 'ratings.csv'), '--model', 'svd']);
    expect(model.code).toBe(2);
    const unverified = await vae([
      'recommend',
      '--dataset',
      'movielens-10m',
      '--data-dir',
      work,
      '--out',
      join(work, 'flags'),
    ]);
    expect([unverified.code, unverified.stderr]).toEqual([
      1,
      expect.stringMatching(/records no SHA-256 for ml-10m\.zip/),
    ]);
  });
});
