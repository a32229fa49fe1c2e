import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './digest';
import { readRegularFile, resolveInside, UntrustedFileError, writeFileAtomic } from './node';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-core-node-'));
  await mkdir(join(root, 'inside', 'sub'), { recursive: true });
  await writeFile(join(root, 'inside', 'a.bin'), 'abc');
  await writeFile(join(root, 'inside', 'sub', 'b.bin'), 'b');
  await writeFile(join(root, 'outside.bin'), 'secret');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('readRegularFile', () => {
  it('reads a regular file, and refuses one over the limit before reading it', async () => {
    expect(
      new TextDecoder().decode(
        await readRegularFile(join(root, 'inside', 'a.bin'), { maxBytes: 3, what: 'x' }),
      ),
    ).toBe('abc');
    await expect(
      readRegularFile(join(root, 'inside', 'a.bin'), { maxBytes: 2, what: 'a test file' }),
    ).rejects.toThrow(/is 3 bytes, more than the limit of 2 for a test file/);
    await expect(
      readRegularFile(join(root, 'inside', 'a.bin'), {
        maxBytes: 2,
        what: 'x',
        tooLarge: (n) => new Error(`big ${n}`),
      }),
    ).rejects.toThrow(/^big 3$/);
    const sparse = join(root, 'sparse.bin');
    await writeFile(sparse, '');
    await truncate(sparse, 2 ** 34); // 16 GiB, sparse
    const rss = process.memoryUsage().rss;
    await expect(readRegularFile(sparse, { maxBytes: 2 ** 30, what: 'x' })).rejects.toThrow(
      /17,179,869,184 bytes/,
    );
    expect(process.memoryUsage().rss - rss).toBeLessThan(20 * 2 ** 20);
  });

  it('refuses directories, devices (also through a symlink), FIFOs and missing files at once, naming the path', async () => {
    const cases: Array<[string, RegExp]> = [
      [join(root, 'inside'), /inside is a directory, not a regular file; expected the data file/],
      ['/dev/zero', /\/dev\/zero is a character device/],
      [join(root, 'missing.bin'), /missing.bin does not exist \(expected the data file\)/],
    ];
    await symlink('/dev/zero', join(root, 'zero-link'));
    cases.push([join(root, 'zero-link'), /zero-link \(a link to \/dev\/zero\) is a character device/]);
    try {
      execFileSync('mkfifo', [join(root, 'fifo')]);
      cases.push([join(root, 'fifo'), /fifo is a FIFO/]);
    } catch {
      // no mkfifo: skip that case
    }
    for (const [path, pattern] of cases) {
      const started = performance.now();
      const error = await readRegularFile(path, { maxBytes: 100, what: 'the data file' }).catch((e) => e);
      expect(error).toBeInstanceOf(UntrustedFileError);
      expect(error.message).toMatch(pattern);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('resolveInside', () => {
  it('resolves relative names inside the folder', async () => {
    const inside = join(root, 'inside');
    expect(await resolveInside(inside, 'a.bin')).toMatch(/inside[/\\]a\.bin$/);
    expect(await resolveInside(inside, './sub/b.bin')).toMatch(/sub[/\\]b\.bin$/);
    expect(await resolveInside(inside, 'sub/../a.bin')).toMatch(/inside[/\\]a\.bin$/);
  });

  it.each([
    ['../outside.bin', /leaves the folder/],
    ['sub/../../outside.bin', /leaves the folder/],
    ['/etc/passwd', /is absolute/],
    ['https://example.com/x', /URL or a drive path/],
    ['c:/x', /URL or a drive path/],
    ['..\\outside.bin', /backslash/],
    ['a\u0000b', /NUL/],
    ['', /not a non-empty string/],
    [null, /not a non-empty string/],
  ])('refuses %j', async (name, pattern) => {
    await expect(resolveInside(join(root, 'inside'), name, 'the weights path')).rejects.toThrow(pattern);
  });

  it('refuses a symlink that leads out of the folder, and one to the folder itself', async () => {
    await symlink(join(root, 'outside.bin'), join(root, 'inside', 'link.bin'));
    await symlink(join(root, 'inside'), join(root, 'inside', 'self'));
    await expect(resolveInside(join(root, 'inside'), 'link.bin')).rejects.toThrow(/outside the folder/);
    await expect(resolveInside(join(root, 'inside'), 'self')).rejects.toThrow(/outside the folder/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const path = join(root, 'atomic', 'out.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, new Uint8Array([116, 119, 111]));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(join(root, 'atomic'))).toEqual(['out.json']);
  });
});

describe('sha256Hex', () => {
  it('matches the published digest of "abc"', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
