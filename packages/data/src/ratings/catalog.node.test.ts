import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRatingDataset } from '../node';
import { RATING_DATASETS } from './catalog';

const work = mkdtempSync(join(tmpdir(), 'vae-movielens-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A zip laid out like GroupLens's, with a few ratings in the member's layout; returns its SHA-256. */
function fakeArchive(dir: string, name: string, member: string, text: string): string {
  const bytes = zipSync({
    [member]: new TextEncoder().encode(text),
    'other/README.txt': new Uint8Array([1]),
  });
  writeFileSync(join(dir, name), bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

const dat = '1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n';

describe('MovieLens catalog', () => {
  it('records a real SHA-256 (64 hex digits) and size for every archive but ml-10m.zip, and the licence', () => {
    for (const info of Object.values(RATING_DATASETS)) {
      expect(info.license).toMatch(/no redistribution/);
      expect(info.mirrors.every((m) => m.startsWith('https://'))).toBe(true);
      const { sha256, bytes } = info.archive as { sha256?: string; bytes?: number };
      if (info.name === 'movielens-10m') expect(sha256).toBeUndefined();
      else {
        expect(sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(bytes).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a data set without a recorded checksum unless expectedSha256 is passed, then verifies and parses it', async () => {
    const dir = mkdtempSync(join(work, 'ten-'));
    const sha = fakeArchive(dir, 'ml-10m.zip', 'ml-10M100K/ratings.dat', dat);
    await expect(loadRatingDataset('movielens-10m', { dir })).rejects.toThrow(
      /records no SHA-256 for ml-10m\.zip.*Pass expectedSha256/,
    );
    const set = await loadRatingDataset('movielens-10m', { dir, expectedSha256: sha.toUpperCase() });
    expect([set.size, set.numUsers, set.numItems]).toEqual([3, 2, 2]);
    expect(Array.from(set.ratings)).toEqual([5, 3, 4]);
    const other = 'f'.repeat(64);
    await expect(loadRatingDataset('movielens-10m', { dir, expectedSha256: other })).rejects.toThrow(
      new RegExp(`SHA-256 ${sha} is not the expected ${other}`),
    );
    await expect(loadRatingDataset('movielens-10m', { dir, expectedSha256: 'abc' })).rejects.toThrow(
      /expectedSha256 must be 64 hexadecimal digits/,
    );
  });

  it("refuses a copy whose checksum is not the catalog's, and says where it looked when downloads are off", async () => {
    const dir = mkdtempSync(join(work, 'one-'));
    fakeArchive(dir, 'ml-1m.zip', 'ml-1m/ratings.dat', dat);
    await expect(loadRatingDataset('movielens-1m', { dir })).rejects.toThrow(
      /SHA-256 [0-9a-f]{64} is not the expected a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20/,
    );
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    await expect(loadRatingDataset('movielens-100k', { cacheDir, download: false })).rejects.toThrow(
      /ml-100k\.zip not found \(looked in .*cache-.*movielens-100k\) and downloads are off/,
    );
    await expect(loadRatingDataset('movielens-7m')).rejects.toThrow(
      /unknown rating data set 'movielens-7m'.*movielens-1m/,
    );
  });

  it('a newer release of latest-small, larger than the catalog records, loads with its expectedSha256', async () => {
    const dir = mkdtempSync(join(work, 'latest-'));
    const padding = new Uint8Array(1_100_000); // stored uncompressed: the archive passes the catalog's 978,202 bytes
    for (let i = 0; i < padding.length; i++) padding[i] = (i * 2654435761) >>> 24;
    const bytes = zipSync({
      'ml-latest-small/ratings.csv': new TextEncoder().encode(
        'userId,movieId,rating,timestamp\n1,10,4.5,964982703\n2,10,3.0,964981247\n',
      ),
      'ml-latest-small/movies.csv': [padding, { level: 0 }],
    });
    expect(bytes.length).toBeGreaterThan(RATING_DATASETS['movielens-latest-small'].archive.bytes as number);
    writeFileSync(join(dir, 'ml-latest-small.zip'), bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await expect(loadRatingDataset('movielens-latest-small', { dir })).rejects.toThrow(
      /ml-latest-small\.zip is [\d,]+ bytes, more than 978,202 bytes.*\(its size in the catalog\); delete it and try again, or pass expectedSha256/,
    );
    const set = await loadRatingDataset('movielens-latest-small', { dir, expectedSha256: sha });
    expect(Array.from(set.ratings)).toEqual([4.5, 3]);
  });

  it('a verified download whose cache cannot be written is used, with a message, not retried as a failure', async () => {
    const bytes = zipSync({
      'ml-latest-small/ratings.csv': new TextEncoder().encode(
        'userId,movieId,rating,timestamp\n1,10,4.5,964982703\n',
      ),
    });
    const sha = createHash('sha256').update(bytes).digest('hex');
    let requests = 0;
    const server = createServer((_, response) => {
      requests++;
      response.writeHead(200, { 'content-length': String(bytes.length) }).end(Buffer.from(bytes));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // a cache folder under a regular file: it cannot be made
      const file = join(work, 'not-a-folder');
      writeFileSync(file, 'x');
      const messages: string[] = [];
      const set = await loadRatingDataset('movielens-latest-small', {
        mirrors: [`http://127.0.0.1:${(server.address() as AddressInfo).port}/`],
        expectedSha256: sha,
        cacheDir: join(file, 'cache'),
        onMessage: (m) => messages.push(m),
      });
      expect(Array.from(set.ratings)).toEqual([4.5]);
      expect(requests).toBe(1);
      expect(
        messages.some((m) => /could not cache .*ml-latest-small\.zip .*using the downloaded copy/.test(m)),
      ).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('names the member when the archive lacks it', async () => {
    const dir = mkdtempSync(join(work, 'missing-'));
    const sha = fakeArchive(dir, 'ml-10m.zip', 'elsewhere/ratings.dat', dat);
    await expect(loadRatingDataset('movielens-10m', { dir, expectedSha256: sha })).rejects.toThrow(
      /ml-10m\.zip holds no ml-10M100K\/ratings\.dat/,
    );
  });
});
