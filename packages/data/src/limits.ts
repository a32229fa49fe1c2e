/**
 * Size limits for untrusted bytes, shared by the Node and browser loaders and the format parsers: how a limit is
 * described in errors, decompression that stops at a limit (so that a gzip or zlib bomb fails after reading at
 * most about the limit, not after filling memory), and reading an HTTP response body up to a limit.
 *
 * Every limit carries the words the error needs: what the bytes should be, and what to do when the limit is hit
 * (raise it with an option, for user files; delete and download again, for files of a known data set, whose
 * sizes the catalog records).
 */
import { Gunzip, Unzlib } from 'fflate';

/** The default limit for files the catalog does not know (user files, `gunzip`, `parseMat`): 1 GiB. */
export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** Slack allowed above a catalog size for a file as found (headers of other copies, HTTP framing): 1 MiB. */
export const CATALOG_SLACK_BYTES = 1024 ** 2;

/** A size limit with the words its error needs. */
export interface ByteLimit {
  /** The most bytes allowed. */
  maxBytes: number;
  /** What the bytes should be, e.g. "a CSV file", "t10k-labels-idx1-ubyte of MNIST handwritten digits". */
  what: string;
  /** Where the number comes from, when not from an option, e.g. "its size in the catalog". */
  basis?: string;
  /** The end of the error: what to do, e.g. "if the file is genuine, pass maxBytes to loadCsv to raise the limit." */
  fix: string;
}

/** 47040016 -> "47,040,016 bytes"; 1073741824 -> "1,073,741,824 bytes (1 GiB)". */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${exact} (${bytes / size} ${unit})`;
  }
  return exact;
}

/** Checks a size option (`maxBytes` and the like): a positive integer, or undefined for the default. */
export function checkMaxBytes(
  value: number | undefined,
  fallback: number,
  caller: string,
  option = 'maxBytes',
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${caller}: ${option} must be a positive integer, got ${value}.`);
  }
  return value;
}

/** A limit for user data with the default fix: raise the option of the function named. */
export function userLimit(maxBytes: number, what: string, option: string): ByteLimit {
  return { maxBytes, what, fix: `if the data is genuine, pass ${option} to raise the limit.` };
}

function describeLimit(limit: ByteLimit): string {
  return limit.basis ? `${limit.what} (${limit.basis})` : limit.what;
}

/** The error thrown when bytes pass a limit (so that callers can tell it from a corrupt-file error). */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
}

/** The error for `file`, which is (or holds, or decompresses to) more than the limit allows. */
export function tooLargeError(file: string, found: string, limit: ByteLimit): TooLargeError {
  return new TooLargeError(
    `${file} ${found} more than ${formatBytes(limit.maxBytes)}, the most allowed for ${describeLimit(limit)}; ` +
      limit.fix,
  );
}

/** Input is fed to the JavaScript inflater in slices of this size, so one step cannot inflate much past a limit. */
const INFLATE_SLICE = 16 * 1024;

/**
 * Inflates gzip or zlib bytes with a JavaScript inflater (fflate), stopping as soon as the output passes
 * `limit.maxBytes`. Throws a plain error (the caller says what the file is) for corrupt input.
 */
export function inflateLimited(
  bytes: Uint8Array,
  format: 'gzip' | 'zlib',
  file: string,
  limit: ByteLimit,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const ondata = (chunk: Uint8Array, final: boolean) => {
    total += chunk.length;
    if (total <= limit.maxBytes) chunks.push(chunk);
    if (final) ended = true;
  };
  const inflater = format === 'gzip' ? new Gunzip(ondata) : new Unzlib(ondata);
  for (let start = 0; start < bytes.length || start === 0; start += INFLATE_SLICE) {
    const end = Math.min(start + INFLATE_SLICE, bytes.length);
    inflater.push(bytes.subarray(start, end), end === bytes.length);
    if (total > limit.maxBytes) throw tooLargeError(file, 'decompresses to', limit);
    if (end === bytes.length) break;
  }
  if (!ended) throw new Error('unexpected end of the compressed data');
  return concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Hooks of `readStreamLimited` for downloads: called at each chunk, and a promise that ends the read when it rejects. */
export interface StreamWatch {
  /** Called when bytes arrive (to reset an idle timer). */
  onBytes?: () => void;
  /** Rejects when the read must stop (a deadline); the stream is then cancelled and its reason thrown. */
  until?: Promise<never>;
}

/**
 * Reads a stream of bytes to the end, or throws `tooLargeError` (after cancelling the stream) as soon as the
 * running total passes the limit: a decompression bomb or an endless response costs at most about the limit.
 */
export async function readStreamLimited(
  stream: ReadableStream<Uint8Array>,
  file: string,
  found: string,
  limit: ByteLimit,
  watch: StreamWatch = {},
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await (watch.until ? Promise.race([reader.read(), watch.until]) : reader.read());
    } catch (error) {
      reader.cancel().catch(() => undefined); // not awaited: a stalled source may never settle it
      throw error;
    }
    const { done, value } = chunk;
    if (done) break;
    watch.onBytes?.();
    total += value.length;
    if (total > limit.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLargeError(file, found, limit);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/**
 * The body of an HTTP response, refused before reading when its Content-Length is over the limit, and cut off
 * when the bytes streamed pass it (no Content-Length, or one that lies).
 */
export async function readResponseLimited(
  response: Response,
  url: string,
  limit: ByteLimit,
  watch: StreamWatch = {},
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new TooLargeError(
      `${url} answers with ${formatBytes(declared)} (Content-Length), more than ${formatBytes(limit.maxBytes)}, ` +
        `the most allowed for ${describeLimit(limit)}; ${limit.fix}`,
    );
  }
  if (!response.body) {
    const buffer = response.arrayBuffer();
    const bytes = new Uint8Array(await (watch.until ? Promise.race([buffer, watch.until]) : buffer));
    if (bytes.length > limit.maxBytes) throw tooLargeError(url, 'sends', limit);
    return bytes;
  }
  return readStreamLimited(response.body, url, 'sends', limit, watch);
}

/** The default longest one download attempt may take, answer and body: 30 minutes. */
export const DOWNLOAD_TIMEOUT_MS = 30 * 60_000;
/** The default longest a download waits for the answer, or for more of its body: 60 s. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;

/** Time limits of one download attempt, in milliseconds (options `timeout` and `idleTimeout` of the loaders). */
export interface DownloadTimeouts {
  /** The longest one attempt may take, from the request to the last byte. Default 30 minutes. */
  timeout?: number;
  /** The longest to wait for the answer, or for more of its body, before giving the attempt up. Default 60 s. */
  idleTimeout?: number;
}

/** Checks `timeout` and `idleTimeout` (milliseconds above 0) and fills in the defaults. */
export function downloadTimeouts(options: DownloadTimeouts, caller: string): Required<DownloadTimeouts> {
  const check = (value: number | undefined, fallback: number, option: string) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0) || value > 2 ** 31 - 1) {
      throw new Error(
        `${caller}: ${option} must be a number of milliseconds above 0 (at most 2^31 - 1, about 24 days), got ` +
          `${value}; leave it out for the default (${fallback / 1000} s).`,
      );
    }
    return value;
  };
  return {
    timeout: check(options.timeout, DOWNLOAD_TIMEOUT_MS, 'timeout'),
    idleTimeout: check(options.idleTimeout, DOWNLOAD_IDLE_TIMEOUT_MS, 'idleTimeout'),
  };
}

/** Thrown by `fetchLimited` when an attempt runs out of time; downloads retry it like a network error. */
export class DownloadTimeoutError extends Error {
  override name = 'DownloadTimeoutError';
}

/**
 * One download attempt with time limits: fetches `url` with an abort signal, gives it up (aborting the request and
 * cancelling the body) when nothing arrives for `idleTimeout` ms or the whole attempt passes `timeout` ms, and reads
 * an OK answer's body up to `limit` (`readResponseLimited`). Returns the status, and the bytes when OK.
 */
export async function fetchLimited(
  fetcher: typeof fetch,
  url: string,
  limit: ByteLimit,
  timeouts: Required<DownloadTimeouts>,
): Promise<{ status: number; bytes?: Uint8Array }> {
  const controller = new AbortController();
  let expired: DownloadTimeoutError | undefined;
  let reject: (error: Error) => void = () => undefined;
  const until = new Promise<never>((_, r) => {
    reject = r;
  });
  until.catch(() => undefined);
  const expire = (message: string) => {
    expired ??= new DownloadTimeoutError(message);
    controller.abort(expired);
    reject(expired);
  };
  const seconds = (ms: number) => `${ms / 1000} s`;
  const deadline = setTimeout(
    () => expire(`the attempt took more than ${seconds(timeouts.timeout)} (timeout); pass a larger timeout`),
    timeouts.timeout,
  );
  let idle: ReturnType<typeof setTimeout> | undefined;
  const onBytes = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () =>
        expire(
          `nothing received for ${seconds(timeouts.idleTimeout)} (idleTimeout); the server stalled. Try again ` +
            'later or pass a larger idleTimeout',
        ),
      timeouts.idleTimeout,
    );
  };
  onBytes();
  try {
    const response = await Promise.race([fetcher(url, { signal: controller.signal }), until]);
    if (!response.ok) {
      response.body?.cancel().catch(() => undefined);
      return { status: response.status };
    }
    onBytes();
    return {
      status: response.status,
      bytes: await readResponseLimited(response, url, limit, { onBytes, until }),
    };
  } catch (error) {
    throw expired ?? error;
  } finally {
    clearTimeout(deadline);
    clearTimeout(idle);
  }
}
