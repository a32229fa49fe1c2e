/**
 * Loading the data sets with `fetch`: browsers, workers, and any runtime with `fetch` and SubtleCrypto. The same
 * call as `@vae/data/node`'s `loadDataset`, with URLs in place of directories.
 *
 * For each file the loader tries, in order: the Cache API (a verified copy from an earlier load), then each base
 * URL (with retries). Every file is verified with SubtleCrypto's SHA-256 before use, and only verified files are
 * put in the cache, so the cache never holds a partial or corrupt download; a cached copy that fails its check is
 * deleted and fetched again.
 *
 * Every answer is read with a size limit from the catalog (Content-Length checked first when present, the bytes
 * streamed counted otherwise), and gzipped files decompress up to the catalog size of their content at most.
 */
import { type DatasetInfo, datasetInfo, type IdxDatasetInfo, type Split, type SplitName } from './catalog';
import type { ImageDataset } from './image-dataset';
import {
  type ByteLimit,
  type DownloadTimeouts,
  downloadTimeouts,
  fetchLimited,
  readResponseLimited,
  TooLargeError,
} from './limits';
import {
  checkLoadOptions,
  cifarLimits,
  cifarSplitFromTar,
  freyFaceLimits,
  freyFaceSplit,
  gunzipLimited,
  idxDataset,
  idxLimits,
  loadSplits,
  sha256Hex,
  verifiedCifarArchive,
  verifiedFreyFacePixels,
  verifiedIdxFile,
} from './loading';
import { readTar } from './tar';

export interface FetchDatasetOptions extends DownloadTimeouts {
  /** 'train' (default), 'test' or 'all' (train then test). */
  split?: SplitName;
  /** Keep only the first `limit` examples. */
  limit?: number;
  /**
   * Base URL(s) the files are served from, ending in '/' (relative URLs resolve against the page). IDX files are
   * looked for as `${baseUrl}${name}.gz`, then `${baseUrl}${name}`; Frey Face as `frey-faces-idx3-ubyte(.gz)` or
   * `frey_rawface.mat`; CIFAR-10 as `cifar-10-binary.tar.gz`. Default: the data set's public mirrors, most of which
   * do not allow cross-origin requests from web pages: host the files next to your app and pass their URL.
   */
  baseUrl?: string | readonly string[];
  /** Name of the Cache API cache to keep verified files in, or false for none. Default 'vae-data'. */
  cache?: string | false;
  /** Attempts per URL for network errors, time-outs and 5xx answers (a 404 moves on at once): 1 to 10. Default 3. */
  attempts?: number;
  /** The fetch function (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Called with a line of text for each download and cache event. */
  onMessage?: (message: string) => void;
}

interface Candidate {
  url: string;
  /** File name, for messages and format detection. */
  name: string;
  /** The most bytes the answer (or the cached copy) may hold. */
  limit: ByteLimit;
}

function baseUrls(info: DatasetInfo, options: FetchDatasetOptions): string[] {
  const bases = options.baseUrl === undefined ? [...info.mirrors] : [options.baseUrl].flat();
  return bases.map((base) => (base.endsWith('/') ? base : `${base}/`));
}

function resolveUrl(url: string): string {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  return page ? new URL(url, page).href : url;
}

async function openCache(options: FetchDatasetOptions): Promise<Cache | undefined> {
  if (options.cache === false || typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(options.cache ?? 'vae-data');
  } catch {
    return undefined; // e.g. storage disabled: load without a cache
  }
}

/** The most attempts per URL: each can wait up to `timeout`, so more would only delay the error. */
const MAX_ATTEMPTS = 10;

function checkAttempts(attempts: number | undefined): number {
  if (attempts === undefined) return 3;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    throw new Error(
      `loadDataset: attempts must be an integer from 1 to ${MAX_ATTEMPTS} (tries per URL), got ${attempts}; leave ` +
        'it out for the default (3).',
    );
  }
  return attempts;
}

async function fetchBytes(
  url: string,
  options: FetchDatasetOptions,
  limit: ByteLimit,
): Promise<{ bytes?: Uint8Array; failure?: string; missing?: boolean }> {
  const fetcher = options.fetch ?? globalThis.fetch;
  const attempts = checkAttempts(options.attempts);
  const timeouts = downloadTimeouts(options, 'loadDataset');
  let failure = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.onMessage?.(`downloading ${url} (attempt ${attempt})`);
    try {
      const { status, bytes } = await fetchLimited(fetcher, url, limit, timeouts);
      if (status === 404 || status === 410) {
        return { failure: `${url}: HTTP ${status} (not there)`, missing: true };
      }
      if (!bytes) throw new Error(`HTTP ${status}`);
      return { bytes };
    } catch (error) {
      if (error instanceof TooLargeError) return { failure: error.message }; // no retry: not this file
      failure = `${url}: ${(error as Error).message}`;
      if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
  return { failure };
}

/**
 * Finds, verifies and returns the first of the candidate files that is available: from the cache, else from the
 * network. `verify` parses and checks the bytes and throws when they are wrong.
 */
async function obtain<T>(
  title: string,
  candidates: Candidate[],
  options: FetchDatasetOptions,
  verify: (bytes: Uint8Array, candidate: Candidate) => Promise<T>,
): Promise<T> {
  const cache = await openCache(options);
  if (cache) {
    for (const candidate of candidates) {
      const hit = await cache.match(candidate.url);
      if (!hit) continue;
      try {
        return await verify(await readResponseLimited(hit, candidate.url, candidate.limit), candidate);
      } catch (error) {
        options.onMessage?.(`deleting the cached copy of ${candidate.url}: ${(error as Error).message}`);
        await cache.delete(candidate.url);
      }
    }
  }
  const failures: string[] = [];
  let everyMissing = true;
  for (const candidate of candidates) {
    const { bytes, failure, missing } = await fetchBytes(candidate.url, options, candidate.limit);
    if (!bytes) {
      failures.push(failure ?? candidate.url);
      everyMissing &&= missing === true;
      continue;
    }
    everyMissing = false;
    try {
      const value = await verify(bytes, candidate);
      if (cache) {
        try {
          await cache.put(candidate.url, new Response(bytes as Uint8Array<ArrayBuffer>));
        } catch (error) {
          options.onMessage?.(`could not cache ${candidate.url}: ${(error as Error).message}`);
        }
      }
      return value;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  const fix = everyMissing
    ? 'Put the files at one of those URLs, or pass baseUrl with the URL of a folder that holds them.'
    : 'Check the network, or serve the files from your own site (same origin, or with CORS headers) and pass ' +
      'baseUrl.';
  throw new Error(
    `${title}: ${candidates[0].name} is not in the browser cache and could not be fetched (${failures.join('; ')}). ` +
      fix,
  );
}

const RELOAD = 'it was not cached; reload to fetch it again, or check the file the server sends.';

async function loadIdxSplit(
  info: IdxDatasetInfo,
  split: Split,
  options: FetchDatasetOptions,
): Promise<ImageDataset> {
  const load = (part: 'images' | 'labels') => {
    const file = info.files[split][part];
    const gzipped = idxLimits(info, file, true, RELOAD);
    const plain = idxLimits(info, file, false, RELOAD);
    const candidates = baseUrls(info, options).flatMap((base) => [
      { url: resolveUrl(`${base}${file.name}.gz`), name: `${file.name}.gz`, limit: gzipped.found },
      { url: resolveUrl(`${base}${file.name}`), name: file.name, limit: plain.found },
    ]);
    return obtain(info.title, candidates, options, async (bytes, candidate) => {
      const compressed = candidate.name.endsWith('.gz');
      const checked = await verifiedIdxFile(file, bytes, candidate.url, sha256Hex, {
        compressed,
        fix: RELOAD,
        decompress: (data, where) => gunzipLimited(data, where, gzipped.content),
      });
      return checked.idx;
    });
  };
  const images = await load('images');
  return idxDataset(info, split, images, await load('labels'));
}

/**
 * Loads one split of a known data set (`mnist`, `fashion-mnist`, `kmnist`, `frey-face`, `cifar-10`) over the network or from
 * the Cache API, verified by SHA-256. The same options as the Node loader where they make sense.
 */
export async function loadDataset(name: string, options: FetchDatasetOptions = {}): Promise<ImageDataset> {
  const info = datasetInfo(name);
  const { split, limit } = checkLoadOptions(options);
  checkAttempts(options.attempts);
  if (info.format === 'idx') {
    return loadSplits(info, split, limit, (s) => loadIdxSplit(info, s, options));
  }
  if (info.format === 'frey-face') {
    const limits = freyFaceLimits(info, RELOAD);
    const found = { limit: limits.found };
    const candidates = baseUrls(info, options).flatMap((base) => [
      { url: resolveUrl(`${base}${info.files.idx}.gz`), name: `${info.files.idx}.gz`, ...found },
      { url: resolveUrl(`${base}${info.files.idx}`), name: info.files.idx, ...found },
      { url: resolveUrl(`${base}${info.files.mat}`), name: info.files.mat, ...found },
    ]);
    const pixels = await obtain(info.title, candidates, options, async (bytes, candidate) => {
      const content = candidate.name.endsWith('.gz')
        ? await gunzipLimited(bytes, candidate.url, limits.content)
        : bytes;
      return verifiedFreyFacePixels(info, content, candidate.url, sha256Hex, RELOAD);
    });
    return loadSplits(info, split, limit, async (s) => freyFaceSplit(info, pixels, s));
  }
  const limits = cifarLimits(info, RELOAD);
  const candidates = baseUrls(info, options).map((base) => ({
    url: resolveUrl(`${base}${info.archive.name}`),
    name: info.archive.name,
    limit: limits.found,
  }));
  const tar = await obtain(info.title, candidates, options, async (bytes, candidate) => {
    const content = await verifiedCifarArchive(
      info,
      bytes,
      candidate.url,
      sha256Hex,
      (data, where) => gunzipLimited(data, where, limits.content),
      RELOAD,
    );
    readTar(content, candidate.url);
    return content;
  });
  return loadSplits(info, split, limit, async (s) => cifarSplitFromTar(info, tar, s, info.archive.name));
}
