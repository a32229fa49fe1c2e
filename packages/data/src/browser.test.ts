// The fetch-based loader (the root entry's loadDataset), with a fake network: runs in Node and in Chromium.
import { describe, expect, it } from 'vitest';
import { loadDataset } from './browser';
import { sha256Hex } from './loading';

const base = 'https://data.example.test/files/';
const cacheName = `vae-data-test-${Math.random().toString(36).slice(2)}`;

function fakeFetch(answer: (url: string) => Response | Promise<Response>) {
  const requests: string[] = [];
  const fetcher = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requests.push(url);
    return answer(url);
  }) as typeof fetch;
  return { fetcher, requests };
}

describe('loadDataset over fetch: failures', () => {
  it('says which URLs it tried and how to fix it when the files are not there', async () => {
    const { fetcher, requests } = fakeFetch(() => new Response(null, { status: 404 }));
    const error = await loadDataset('mnist', {
      split: 'test',
      baseUrl: base,
      fetch: fetcher,
      cache: cacheName,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /MNIST handwritten digits: t10k-images-idx3-ubyte\.gz is not in the browser cache and could not be fetched \(https:\/\/data\.example\.test\/files\/t10k-.*\.gz: HTTP 404 \(not there\); .*\)\. Put the files at one of those URLs, or pass baseUrl/,
    );
    // a 404 is not retried; both the gzipped and the plain name are tried
    expect(requests).toEqual([`${base}t10k-images-idx3-ubyte.gz`, `${base}t10k-images-idx3-ubyte`]);
  });

  it('retries network errors, then suggests checking the network or serving the files', async () => {
    const { fetcher, requests } = fakeFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(
      loadDataset('frey-face', { baseUrl: base, fetch: fetcher, attempts: 2, cache: false }),
    ).rejects.toThrow(
      /Frey Face: frey-faces-idx3-ubyte\.gz .*Failed to fetch.*Check the network, or serve the files/,
    );
    expect(requests.length).toBe(3 * 2); // three candidate files, two attempts each
  }, 10_000);

  it('rejects bytes that fail their checksum and caches nothing', async () => {
    const wrong = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]);
    const { fetcher } = fakeFetch((url) =>
      url.endsWith('.gz') ? new Response(null, { status: 404 }) : new Response(wrong),
    );
    const actual = await sha256Hex(wrong);
    await expect(
      loadDataset('fashion-mnist', {
        split: 'test',
        baseUrl: base,
        fetch: fetcher,
        cache: cacheName,
        attempts: 1,
      }),
    ).rejects.toThrow(
      new RegExp(
        `${base}t10k-images-idx3-ubyte failed its checksum: SHA-256 of the content is ${actual}, ` +
          'expected [0-9a-f]{64}\\. The file is corrupt or a different version; it was not cached',
      ),
    );
    if (typeof caches !== 'undefined') {
      const cache = await caches.open(cacheName);
      expect(await cache.keys()).toEqual([]);
      await caches.delete(cacheName);
    }
  });

  it('checks its arguments', async () => {
    await expect(loadDataset('mnsit')).rejects.toThrow(/unknown dataset 'mnsit'; choose one of: mnist/);
    await expect(loadDataset('mnist', { split: 'validation' as 'test' })).rejects.toThrow(/unknown split/);
    await expect(loadDataset('mnist', { limit: -1 })).rejects.toThrow(/positive integer/);
  });
});
