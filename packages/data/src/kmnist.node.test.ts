// KMNIST: verified by the SHA-256 of its gzipped originals (the only checksums published for it), cached gzipped.
// The real files cannot be fetched here, so the positive path swaps the catalog's test-split checksums for those of
// small fixture files for the length of one test; every other test uses the real catalog entry.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset as loadWithFetch } from './browser';
import { DATASETS, type IdxFile } from './catalog';
import { sha256Hex, verifiedIdxFile } from './loading';
import { loadKmnist } from './node';

const made: string[] = [];
const temporary = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vae-kmnist-'));
  made.push(dir);
  return dir;
};
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** An IDX file of `n` 28x28 images (pixel = image index + position, mod 256) or `n` labels (index mod 10). */
function idx(kind: 'images' | 'labels', n: number): Uint8Array {
  const header =
    kind === 'images' ? [0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28] : [0, 0, 8, 1, 0, 0, 0, n];
  const size = kind === 'images' ? n * 784 : n;
  const bytes = new Uint8Array(header.length + size);
  bytes.set(header);
  for (let i = 0; i < size; i++) {
    bytes[header.length + i] = kind === 'images' ? (Math.floor(i / 784) + i) % 256 : i % 10;
  }
  return bytes;
}
const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('verifiedIdxFile', () => {
  const content = idx('labels', 7);
  const gz = gzipSync(content);
  const gunzip = (b: Uint8Array) => new Uint8Array(gunzipSync(b));
  const file: IdxFile = {
    name: 'labels',
    bytes: content.length,
    gzip: { sha256: hex(gz), bytes: gz.length },
  };

  it('checks the gzip file before decompressing it', async () => {
    const { idx: parsed, content: out } = await verifiedIdxFile(file, gz, 'labels.gz', sha256Hex, {
      compressed: true,
      fix: 'x',
      decompress: gunzip,
    });
    expect(parsed.shape).toEqual([7]);
    expect(Array.from(out)).toEqual(Array.from(content));
    const other = gzipSync(content, { level: 1 }); // same content, other bytes: not the published file
    if (hex(other) !== hex(gz)) {
      await expect(
        verifiedIdxFile(file, other, 'labels.gz', sha256Hex, {
          compressed: true,
          fix: 'x',
          decompress: gunzip,
        }),
      ).rejects.toThrow(/labels\.gz failed its checksum: SHA-256 of the gzip file is [0-9a-f]{64}, expected/);
    }
  });

  it('refuses an uncompressed copy it cannot verify, and says to keep the .gz', async () => {
    await expect(
      verifiedIdxFile(file, content, '/d/labels', sha256Hex, {
        compressed: false,
        fix: 'x',
        decompress: gunzip,
      }),
    ).rejects.toThrow(
      '/d/labels cannot be verified: only the SHA-256 of the gzipped original labels.gz is published',
    );
  });

  it('still checks the content when both checksums are known', async () => {
    const both: IdxFile = { ...file, sha256: hex(content), bytes: content.length };
    const wrong = idx('labels', 7);
    wrong[9] = 3;
    const wrongGz = gzipSync(wrong);
    const mixed: IdxFile = { ...both, gzip: { sha256: hex(wrongGz), bytes: wrongGz.length } };
    await expect(
      verifiedIdxFile(mixed, wrongGz, 'l.gz', sha256Hex, { compressed: true, fix: 'x', decompress: gunzip }),
    ).rejects.toThrow(/SHA-256 of the decompressed content/);
  });
});

describe('loadKmnist', () => {
  let server: Server;
  let base = '';
  const served: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = served[request.url ?? ''];
      if (body) response.writeHead(200).end(body);
      else response.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('has the published checksums and sizes of the four gzipped originals', () => {
    const { train, test } = DATASETS.kmnist.files;
    expect(train.images.gzip).toEqual({
      sha256: '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
      bytes: 18165135,
    });
    expect(test.labels.gzip.sha256).toBe('20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c');
    expect(DATASETS.kmnist.classNames).toHaveLength(10);
  });

  it('rejects a wrong download against the real checksums and caches nothing', async () => {
    served['/wrong/t10k-images-idx3-ubyte.gz'] = gzipSync(idx('images', 3));
    served['/wrong/t10k-labels-idx1-ubyte.gz'] = gzipSync(idx('labels', 3));
    const cacheDir = await temporary();
    await expect(
      loadKmnist({ split: 'test', cacheDir, packageSearchPaths: [], mirrors: [`${base}wrong/`] }),
    ).rejects.toThrow(
      /wrong\/t10k-images-idx3-ubyte\.gz failed its checksum: SHA-256 of the gzip file is [0-9a-f]{64}, expected edd7a857/,
    );
    expect(existsSync(join(cacheDir, 'kmnist')) ? await readdir(join(cacheDir, 'kmnist')) : []).toEqual([]);
  });

  it('refuses uncompressed local files and says which files to use', async () => {
    const dir = await temporary();
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), idx('images', 3));
    await expect(loadKmnist({ split: 'test', dir })).rejects.toThrow(
      /t10k-images-idx3-ubyte cannot be verified: .*Put t10k-images-idx3-ubyte\.gz \(as downloaded\) there/,
    );
  });

  it('downloads, verifies and caches the gzipped files, then loads offline from the cache (Node and fetch)', async () => {
    const test = DATASETS.kmnist.files.test as { images: IdxFile; labels: IdxFile };
    const saved = { images: test.images.gzip, labels: test.labels.gzip };
    const images = gzipSync(idx('images', 5));
    const labels = gzipSync(idx('labels', 5));
    served['/ok/t10k-images-idx3-ubyte.gz'] = images;
    served['/ok/t10k-labels-idx1-ubyte.gz'] = labels;
    try {
      test.images.gzip = { sha256: hex(images), bytes: images.length };
      test.labels.gzip = { sha256: hex(labels), bytes: labels.length };
      const cacheDir = await temporary();
      const data = await loadKmnist({
        split: 'test',
        cacheDir,
        packageSearchPaths: [],
        mirrors: [`${base}ok/`],
      });
      expect(data.size).toBe(5);
      expect(Array.from(data.labels ?? [])).toEqual([0, 1, 2, 3, 4]);
      expect((await readdir(join(cacheDir, 'kmnist'))).sort()).toEqual([
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
      ]);
      const again = await loadKmnist({ split: 'test', cacheDir, packageSearchPaths: [], download: false });
      expect(again.size).toBe(5);
      const viaFetch = await loadWithFetch('kmnist', { split: 'test', baseUrl: `${base}ok/` });
      expect(viaFetch.size).toBe(5);
      // a cached file that changed is caught on the next load
      await mkdir(join(cacheDir, 'kmnist'), { recursive: true });
      await writeFile(
        join(cacheDir, 'kmnist/t10k-labels-idx1-ubyte.gz'),
        gzipSync(idx('labels', 5), { level: 1 }),
      );
      if (hex(gzipSync(idx('labels', 5), { level: 1 })) !== hex(labels)) {
        await expect(
          loadKmnist({ split: 'test', cacheDir, packageSearchPaths: [], download: false }),
        ).rejects.toThrow(/failed its checksum: SHA-256 of the gzip file/);
      }
    } finally {
      test.images.gzip = saved.images;
      test.labels.gzip = saved.labels;
    }
  });
});
