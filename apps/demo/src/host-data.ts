/**
 * Fetching the site's own data files whatever the static host does with them. Safe in the page and in workers
 * (no DOM).
 *
 * Hosts differ: `vite preview` answers a `.gz` file with `Content-Encoding: gzip` (so the browser hands over the
 * decoded bytes), others send gzip files as they are, compress anything on the fly, or answer a missing file with
 * the site's `index.html` (a single-page-app fallback) and status 200. So the demo ships the gzipped MNIST files
 * under fingerprinted `.bin` names (see `vite-plugin-demo-data.ts`), and `hostFetch` serves them to `loadDataset`
 * of @vae/data under the names it asks for:
 *
 * - gzip bytes (magic 1f 8b) are handed over as the `.gz` file;
 * - already-decoded bytes are handed over as the plain file (the `.gz` answers 404, so the loader asks for the
 *   plain name next and verifies the content's SHA-256 as always);
 * - a web page where data was expected is refused with a message that says so, instead of a checksum error.
 */
import { loadDataset } from '@vae/data';

/** Logical name (`data/mnist/t10k-images-idx3-ubyte.gz`) -> path of the shipped file, relative to the site. */
export type DataFiles = Record<string, string>;

/** The largest data file the demo ships, decoded, with room to spare (MNIST test images: 7.8 MB). */
const MAX_DATA_BYTES = 16 * 1024 * 1024;

/** A host answered a data file with a web page. */
export class HtmlFallbackError extends Error {
  constructor(readonly url: string) {
    super(
      `the server answered ${url} with a web page (probably the site's index.html) instead of the file: the ` +
        'data files were not deployed with the site, or the host rewrites every path to index.html.',
    );
    this.name = 'HtmlFallbackError';
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True when an answer that should be data is a web page: by its type, or by its first bytes. */
export function looksLikeHtml(contentType: string | null, bytes: Uint8Array): boolean {
  if (contentType && /^text\/html\b/i.test(contentType)) return true;
  let start = 0;
  while (start < bytes.length && start < 64 && /\s/.test(String.fromCharCode(bytes[start]))) start++;
  const head = new TextDecoder().decode(bytes.subarray(start, start + 15)).toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** Fetches one shipped file: checks the status, the size and that it is not a web page. */
export async function fetchShipped(
  url: string,
  fetcher: typeof fetch = globalThis.fetch,
): Promise<Uint8Array> {
  const response = await fetcher(url);
  if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status}).`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_DATA_BYTES) throw new Error(`${url} is larger than expected (${declared} bytes).`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_DATA_BYTES)
    throw new Error(`${url} is larger than expected (${bytes.length} bytes).`);
  if (looksLikeHtml(response.headers.get('content-type'), bytes)) throw new HtmlFallbackError(url);
  return bytes;
}

/**
 * A `fetch` for `loadDataset`'s `fetch` option: maps the file names it asks for under `base` to the shipped files
 * (`files`, resolved against `siteUrl`), and hands over gzipped or decoded bytes under the matching name.
 * Errors of the host (a web page, a failed request) are kept in `problems`, so the caller can say what happened.
 */
export function hostFetch(base: string, files: DataFiles, siteUrl: string, problems: Error[]): typeof fetch {
  const decoded = new Map<string, Uint8Array>();
  const notHere = (url: string) => new Response(null, { status: 404, statusText: `not shipped: ${url}` });
  return (async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(base)) return globalThis.fetch(input);
    const name = url.slice(base.length);
    const kept = decoded.get(name);
    if (kept) return new Response(kept as Uint8Array<ArrayBuffer>);
    const shipped = Object.entries(files).find(([logical]) => logical.endsWith(`/${name}`))?.[1];
    if (!shipped) return notHere(url);
    const real = new URL(shipped, siteUrl).href;
    let bytes: Uint8Array;
    try {
      bytes = await fetchShipped(real);
    } catch (error) {
      problems.push(error as Error);
      return notHere(url);
    }
    if (!name.endsWith('.gz') || isGzip(bytes)) return new Response(bytes as Uint8Array<ArrayBuffer>);
    // the host (or a proxy) decoded it already: offer it under the plain name, which the loader asks for next
    decoded.set(name.slice(0, -'.gz'.length), bytes);
    return notHere(url);
  }) as typeof fetch;
}

/**
 * The first `limit` images of the MNIST test set, from the site's own files (verified by SHA-256, cached with the
 * Cache API). `siteUrl` is the site's root (the page's address, or the one the page gave a worker).
 */
export async function loadMnistTest(
  files: DataFiles,
  siteUrl: string,
  limit: number,
): Promise<Awaited<ReturnType<typeof loadDataset>>> {
  const base = new URL('data/mnist/', siteUrl).href;
  const problems: Error[] = [];
  try {
    return await loadDataset('mnist', {
      split: 'test',
      limit,
      baseUrl: base,
      cache: 'vae-demo-data',
      attempts: 2,
      fetch: hostFetch(base, files, siteUrl, problems),
    });
  } catch (error) {
    const html = problems.find((problem) => problem instanceof HtmlFallbackError);
    if (html) throw html;
    if (problems.length)
      throw new Error(`${problems.map((p) => p.message).join(' ')} (${(error as Error).message})`);
    throw error;
  }
}
