import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratingFormatOf, readRatingsFile } from './ratings.node';

describe('readRatingsFile', () => {
  it('reads each MovieLens layout by its file name, and names the file and line in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-ratings-'));
    const files: Record<string, string> = {
      'u.data': '196\t242\t3\t881250949\n186\t302\t3\t891717742\n',
      'ratings.dat': '196::242::3::881250949\n186::302::3::891717742\n',
      'ratings.csv': 'userId,movieId,rating,timestamp\n196,242,3.0,881250949\n186,302,3.0,891717742\n',
      'mine.tsv': '196\t242\t3\n186\t302\t3\n',
    };
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(dir, name), text);
      const set = await readRatingsFile(join(dir, name));
      expect(set.size, name).toBe(2);
      expect(set.userIds, name).toEqual(['196', '186']);
      expect(set.itemIds, name).toEqual(['242', '302']);
    }
    expect(ratingFormatOf('/x/u1.base')).toBe('movielens-100k');
    expect(ratingFormatOf('ratings.dat')).toBe('movielens-dat');
    expect(ratingFormatOf('other.csv')).toBe('csv');
    const bad = join(dir, 'bad.dat');
    await writeFile(bad, '1::2::3::4\n1::2::x::4\n');
    await expect(readRatingsFile(bad)).rejects.toThrow(`${bad} line 2: the rating "x" is not a number`);
    await expect(readRatingsFile(join(dir, 'u.data'), { maxBytes: 10 })).rejects.toThrow(/limit/);
    await mkdir(join(dir, 'folder.csv'));
    await expect(readRatingsFile(join(dir, 'folder.csv'))).rejects.toThrow(/directory/);
  });
});
