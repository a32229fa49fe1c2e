/**
 * Loading a saved model from a URL (browsers, workers, Node's fetch), treating the server as untrusted: the
 * weights are fetched relative to `model.json`, only from its own origin unless the caller allows others, with
 * size limits checked against Content-Length and counted while streaming, and a stall timeout.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkManifest, type LoadOptions, MAX_MODEL_JSON_BYTES, maxWeightBytes } from './artifacts';

function baseUrl(): string | undefined {
  const location = (globalThis as { location?: { href?: string } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

/** What to pass instead, when the model.json a string named is not there (a folder path given in a browser). */
const WHERE_MODELS_LIVE =
  'pass the URL at which your server serves the model.json (e.g. "/models/vae/model.json" for a model copied into ' +
  "your app's public folder, as `vae export` writes it); a folder on disk is not a URL: in a browser pass a tfjs IO " +
  'handler instead (tf.io.browserFiles([modelJson, weightsBin]) for files the user picked), in Node use ' +
  "loadModelFromDirectory from '@vae/models/node'.";

/** The absolute URL of `model.json` for a URL, a path relative to the page, or a folder URL. */
export function modelJsonUrl(source: string | URL, caller: string): URL {
  let url: URL;
  try {
    url = new URL(source.toString(), baseUrl());
  } catch {
    throw new Error(
      `${caller}: '${String(source).slice(0, 200)}' is not a URL. Pass the URL of a model.json (or of its ` +
        "folder), or a tfjs IO handler; in Node, load a folder with loadModelFromDirectory from '@vae/models/node'.",
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'blob:') {
    throw new Error(
      `${caller}: ${url.protocol} URLs are not loaded (${url.href.slice(0, 200)}); pass an http(s) URL of a ` +
        "model.json, or in Node load a folder with loadModelFromDirectory from '@vae/models/node'.",
    );
  }
  if (!url.pathname.endsWith('.json')) {
    url = new URL(`${url.pathname.endsWith('/') ? '' : `${url.pathname.split('/').pop()}/`}model.json`, url);
  }
  return url;
}

/** Fetches a URL into memory, refusing more than `maxBytes` (Content-Length first, then counting). */
async function fetchBytes(
  url: URL,
  maxBytes: number,
  what: string,
  options: LoadOptions,
  caller: string,
): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new Error(
      `${caller}: there is no fetch here; pass options.fetch, or load through a tfjs IO handler.`,
    );
  }
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortFromCaller, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  const failed = (error: unknown): never => {
    if (stalled) {
      throw new Error(
        `${caller}: ${what} ${url.href} sent nothing for ${stallMs / 1000} s; try again later.`,
      );
    }
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw new Error(`${caller}: could not fetch ${what} ${url.href} (${(error as Error).message}).`, {
      cause: error,
    });
  };
  try {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    arm();
    let response: Response;
    try {
      response = await fetchImpl(url.href, { signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      return failed(error);
    }
    if (!response.ok) {
      throw new Error(
        `${caller}: ${what} ${url.href} answered ${response.status} ${response.statusText}; ` +
          (what === 'model.json' ? WHERE_MODELS_LIVE : 'check the URL.'),
      );
    }
    const tooLarge = (n: number | string) =>
      new Error(
        `${caller}: ${what} ${url.href} is ${n} bytes, more than the limit of ${maxBytes.toLocaleString('en-US')}` +
          (what === 'model.json'
            ? '; it is not a model.json.'
            : '; if you trust this model, raise maxBytes.'),
      );
    const declared = Number(response.headers.get('content-length'));
    // Content-Length is that of the encoded body when the server compresses; the decoded count is checked below.
    if (!response.headers.get('content-encoding') && Number.isFinite(declared) && declared > maxBytes) {
      throw tooLarge(declared.toLocaleString('en-US'));
    }
    if (!response.body) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength.toLocaleString('en-US'));
      return bytes;
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        return failed(error);
      }
      if (result.done) break;
      arm();
      total += result.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`more than ${maxBytes.toLocaleString('en-US')}`);
      }
      chunks.push(result.value);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abortFromCaller);
  }
}

/** Resolves a manifest's weight path against model.json's URL, keeping it on the same origin unless allowed. */
function weightUrl(path: unknown, modelUrl: URL, options: LoadOptions, caller: string): URL {
  if (typeof path !== 'string' || path.length === 0 || path.length > 2048 || path.includes('\\')) {
    throw new Error(
      `${caller}: the manifest names a weights file ${JSON.stringify(path)}; the file is corrupt.`,
    );
  }
  const url = new URL(path, modelUrl);
  if (url.origin !== modelUrl.origin && !options.allowCrossOrigin) {
    throw new Error(
      `${caller}: model.json at ${modelUrl.href} names weights on another origin (${url.origin}); refused. ` +
        'If you trust both servers, load it with { allowCrossOrigin: true }.',
    );
  }
  return url;
}

/** A tfjs IO handler (load only) for the URL of a saved model's model.json. */
export function urlHandler(source: string | URL, options: LoadOptions, caller: string): tf.io.IOHandler {
  const modelUrl = modelJsonUrl(source, caller);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const maxBytes = maxWeightBytes(options);
      const text = new TextDecoder().decode(
        await fetchBytes(modelUrl, MAX_MODEL_JSON_BYTES, 'model.json', options, caller),
      );
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new Error(
          `${caller}: ${modelUrl.href} is not JSON (${(error as Error).message.slice(0, 100)}); the server ` +
            `answered with something else, often a web page (dev servers serve index.html for unknown paths): ${WHERE_MODELS_LIVE}`,
        );
      }
      const {
        paths,
        specs: weightSpecs,
        bytes: expected,
      } = checkManifest(json, `${caller}: ${modelUrl.href}`, maxBytes);
      const urls = paths.map((p) => weightUrl(p, modelUrl, options, caller));
      const parts: ArrayBuffer[] = [];
      let total = 0;
      for (const url of urls) {
        const bytes = await fetchBytes(url, expected - total, 'the weights file', options, caller);
        total += bytes.byteLength;
        parts.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        weightSpecs,
        weightData: parts,
      };
    },
  };
}
