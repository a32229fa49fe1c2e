/**
 * Loading a model from a URL with an untrusted server (a fake fetch serves the files): weights only from
 * model.json's origin, sizes limited, HTML fallbacks and stalls explained. Runs in Node and in Chromium.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from './io';
import { VAE } from './vae/vae.model';

let files: Map<string, Uint8Array>;
let requested: string[];
let expected: Float32Array;

function response(body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Response(body as BodyInit, { status: 200, headers });
}

const serve: typeof fetch = async (input) => {
  const url = String(input);
  requested.push(url);
  const body = files.get(url);
  if (!body) return new Response('not found', { status: 404, statusText: 'Not Found' });
  return response(body);
};

beforeAll(async () => {
  const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
  expected = (await model.variables['decoder/logits/bias'].data()) as Float32Array;
  await saveModel(model, {
    save: async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      files = new Map([
        ['https://models.example/vae/model.json', new TextEncoder().encode(JSON.stringify(json))],
        ['https://models.example/vae/weights.bin', new Uint8Array(artifacts.weightData as ArrayBuffer)],
      ]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  model.dispose();
});

afterAll(() => {
  files.clear();
});

function withManifestPaths(paths: string[]): Map<string, Uint8Array> {
  const copy = new Map(files);
  const json = JSON.parse(new TextDecoder().decode(files.get('https://models.example/vae/model.json')));
  json.weightsManifest[0].paths = paths;
  copy.set('https://models.example/vae/model.json', new TextEncoder().encode(JSON.stringify(json)));
  return copy;
}

describe('loading a model from a URL', () => {
  it('loads model.json and its weights (also from the folder URL), verified', async () => {
    for (const url of [
      'https://models.example/vae/model.json',
      'https://models.example/vae',
      'https://models.example/vae/',
    ]) {
      requested = [];
      const before = tf.memory().numTensors;
      const model = await loadModel(url, { fetch: serve, onWarning: (m) => expect.fail(m) });
      expect(await model.variables['decoder/logits/bias'].data()).toEqual(expected);
      expect(requested).toEqual([
        'https://models.example/vae/model.json',
        'https://models.example/vae/weights.bin',
      ]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses weights on another origin unless allowed', async () => {
    const saved = files;
    files = withManifestPaths(['https://evil.example/weights.bin']);
    files.set(
      'https://evil.example/weights.bin',
      saved.get('https://models.example/vae/weights.bin') as Uint8Array,
    );
    requested = [];
    await expect(loadModel('https://models.example/vae/model.json', { fetch: serve })).rejects.toThrow(
      /names weights on another origin \(https:\/\/evil.example\); refused.*allowCrossOrigin/,
    );
    expect(requested).toEqual(['https://models.example/vae/model.json']);
    const model = await loadModel('https://models.example/vae/model.json', {
      fetch: serve,
      allowCrossOrigin: true,
    });
    model.dispose();
    files = saved;
  });

  it('explains an HTML page served in place of model.json (a static host fallback)', async () => {
    const html: typeof fetch = async () => response(new TextEncoder().encode('<!doctype html><html></html>'));
    await expect(loadModel('https://models.example/vae/model.json', { fetch: html })).rejects.toThrow(
      /is not JSON .*often a web page.*loadModelFromDirectory/,
    );
  });

  it('refuses bodies over the limit, by Content-Length and by counting a stream', async () => {
    const declared: typeof fetch = async () =>
      response(new Uint8Array(10), { 'content-length': String(2 ** 40) });
    await expect(loadModel('https://models.example/vae/model.json', { fetch: declared })).rejects.toThrow(
      /is 1,099,511,627,776 bytes, more than the limit/,
    );
    let sent = 0;
    const endless: typeof fetch = async () =>
      response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += 2 ** 20;
            controller.enqueue(new Uint8Array(2 ** 20));
          },
        }),
      );
    await expect(loadModel('https://models.example/vae/model.json', { fetch: endless })).rejects.toThrow(
      /more than the limit of 67,108,864/,
    );
    expect(sent).toBeLessThan(70 * 2 ** 20);
    // weights larger than their manifest
    const big: typeof fetch = async (input) =>
      String(input).endsWith('.bin') ? response(new Uint8Array(10_000)) : serve(input);
    await expect(loadModel('https://models.example/vae/model.json', { fetch: big })).rejects.toThrow(
      /the weights file .* more than the limit of 508/,
    );
  });

  it('gives up on a server that stalls, and stops when the caller aborts', async () => {
    const stalled: typeof fetch = async (_input, init) =>
      response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            init?.signal?.addEventListener('abort', () => controller.error(new Error('aborted')));
          },
        }),
      );
    await expect(
      loadModel('https://models.example/vae/model.json', { fetch: stalled, stallTimeoutMs: 50 }),
    ).rejects.toThrow(/sent nothing for 0.05 s/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the user left')), 20);
    await expect(
      loadModel('https://models.example/vae/model.json', { fetch: stalled, signal: controller.signal }),
    ).rejects.toThrow(/the user left/);
  });

  it('explains what to pass instead of a path or another scheme', async () => {
    await expect(loadModel('file:///etc/passwd', { fetch: serve })).rejects.toThrow(
      /file: URLs are not loaded/,
    );
    await expect(loadModel('https://models.example/missing/model.json', { fetch: serve })).rejects.toThrow(
      /answered 404.*public folder.*tf\.io\.browserFiles/,
    );
  });
});
