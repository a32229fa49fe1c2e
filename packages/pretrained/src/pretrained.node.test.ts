import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PriorVAE, VAE } from '@vae/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTestImages, measure, testImages } from '../scripts/measure.mjs';
import { fromPretrained as fromUrl } from './index';
import {
  fromPretrained,
  modelCard,
  PRETRAINED_DIRECTORY,
  PRETRAINED_MODELS,
  pretrainedDirectory,
  pretrainedUrl,
} from './node';

/** A static file server over `root` on a free port (the browser path, tested with Node's fetch). */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    try {
      const body = await readFile(join(root, path));
      response.writeHead(200, { 'content-length': body.byteLength });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('fromPretrained (Node, from the package)', () => {
  it('ships six models with cards that match their files', () => {
    expect(PRETRAINED_MODELS).toEqual([
      'mnist-vae-2d',
      'mnist-vae-20d',
      'fashion-mnist-vae-2d',
      'dsprites-beta-vae',
      'frey-face-vae',
      'mnist-vampprior',
    ]);
    for (const name of PRETRAINED_MODELS) {
      const card = modelCard(name);
      const folder = pretrainedDirectory(name);
      expect(JSON.parse(readFileSync(join(folder, 'card.json'), 'utf8'))).toEqual(card);
      const weights = readFileSync(join(folder, 'weights.bin'));
      expect(weights.byteLength).toBe(card.weights.bytes);
      expect(sha256(weights)).toBe(card.weights.sha256);
      const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
      expect(json.modelTopology.weightsSha256).toBe(card.weights.sha256);
      expect(json.modelTopology.config).toEqual(card.config);
      expect(card.weights.dtype).toBe('float16');
    }
    expect(pretrainedDirectory('mnist-vae-2d').startsWith(PRETRAINED_DIRECTORY)).toBe(true);
  });

  // The card's test numbers, re-measured: the same images and seed (scripts/measure.mjs), on this backend.
  // Fashion-MNIST and Frey Face are in no npm package: their cards are re-measured where their files are (see
  // measure.mjs: VAE_FASHION_MNIST_DIR, VAE_FREY_FACE_DIR).
  for (const name of PRETRAINED_MODELS) {
    const dataset = modelCard(name).data.name;
    // −log p(x) by importance sampling (k decodes per image for every image) takes minutes on the pure-JS cpu
    // backend (174 s of the whole test command): it is re-measured on wasm (unit:wasm), the −ELBO terms on both.
    const slowBackend = tf.getBackend() === 'cpu';
    const timeout = modelCard(name).evaluation.isNll === undefined ? undefined : 600_000;
    it.skipIf(!haveTestImages(dataset))(
      `re-measures the card of ${name} within its tolerance, without leaking tensors`,
      async () => {
        const card = modelCard(name);
        const images = await testImages(dataset);
        const before = tf.memory().numTensors;
        const model = await fromPretrained(name, { as: VAE });
        expect(model.className).toBe(card.className);
        expect(model.latentDim).toBe(card.config.latentDim);
        const e = card.evaluation;
        expect(images.size).toBe(e.count);
        const importanceSamples = slowBackend ? undefined : e.importanceSamples;
        const numbers = await measure(model, images, dataset, { importanceSamples });
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        expect(Math.abs(numbers.negativeElbo - e.negativeElbo)).toBeLessThanOrEqual(card.tolerance);
        expect(Math.abs(numbers.reconstruction - e.reconstruction)).toBeLessThanOrEqual(card.tolerance);
        expect(Math.abs(numbers.kl - e.kl)).toBeLessThanOrEqual(card.tolerance);
        expect(numbers.activeUnits).toBe(e.activeUnits);
        if (e.isNll === undefined || slowBackend) expect(numbers.isNll).toBeUndefined();
        else expect(Math.abs((numbers.isNll as number) - e.isNll)).toBeLessThanOrEqual(card.tolerance);
        if (dataset === 'dsprites')
          expect(Math.abs((numbers.mig as number) - (e.mig as number))).toBeLessThan(0.005);
        else expect(e.mig).toBeUndefined();
      },
      timeout,
    );
  }

  // One training: the demo's models of the same recipe are these files. The demo takes mnist-vae-2d, mnist-vae-20d
  // and fashion-mnist-vae-2d from this package at build time (apps/demo/vite-plugin-pretrained.ts, which checks the
  // card's SHA-256 and refuses a second copy); a copy the demo ships itself must be these weights: retraining one
  // without the other (scripts/build-pretrained.mjs) fails here.
  it('holds the same weights as the demo model of the same recipe, where the demo ships a copy', () => {
    const demo = join(PRETRAINED_DIRECTORY, '..', '..', '..', 'apps', 'demo', 'public', 'models');
    // Outside the repository (an installed package) there is no demo to compare with.
    if (!existsSync(demo)) return;
    // The models of scripts/train-pretrained.mjs are not the demo's: they name none.
    const fromDemo = PRETRAINED_MODELS.filter((name) => modelCard(name).training.demoModel !== undefined);
    expect(fromDemo).toEqual(['mnist-vae-2d', 'mnist-vae-20d', 'fashion-mnist-vae-2d', 'dsprites-beta-vae']);
    for (const name of fromDemo) {
      const card = modelCard(name);
      const weights = join(demo, card.training.demoModel as string, 'weights.bin');
      if (!existsSync(weights)) continue;
      expect(sha256(readFileSync(weights)), `${name} = demo ${card.training.demoModel}`).toBe(
        card.weights.sha256,
      );
    }
  });

  it('frey-face-vae: a Gaussian decoder with a learned variance per pixel, over 28 × 20 frames', async () => {
    const card = modelCard('frey-face-vae');
    expect(card.config).toMatchObject({
      likelihood: 'gaussian',
      variance: 'learned',
      inputShape: [28, 20, 1],
    });
    const before = tf.memory().numTensors;
    const model = await fromPretrained('frey-face-vae', { as: VAE });
    const z = tf.tensor2d([
      [0, 0],
      [1.5, -1],
    ]);
    const faces = model.decode(z);
    expect(faces.shape).toEqual([2, 28, 20, 1]);
    expect((await faces.data()).every((v) => v >= 0 && v <= 1)).toBe(true); // a sigmoid mean
    // log p(x|z) is largest at x = the mean, where it is -0.5 log(2 pi sigma^2) a pixel: bounded by the variance's
    // soft floor (log sigma^2 > minLogVar), so the density cannot diverge.
    const logLikelihood = model.logLikelihood(faces, z);
    const atMean = await logLikelihood.data();
    const bound = 560 * (-0.5 * Math.log(2 * Math.PI) - (card.config.minLogVar as number) / 2);
    for (const v of atMean) expect(v).toBeLessThan(bound);
    expect(atMean.every(Number.isFinite)).toBe(true);
    const samples = model.sample(3, { seed: 1 });
    expect(samples.shape).toEqual([3, 28, 20, 1]);
    tf.dispose([z, faces, logLikelihood, samples]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mnist-vampprior: a PriorVAE with its pseudo-inputs, better log p(x) than the standard prior', async () => {
    const card = modelCard('mnist-vampprior');
    expect(card.config).toMatchObject({ prior: 'vamp', components: 100, latentDim: 20 });
    const before = tf.memory().numTensors;
    const model = await fromPretrained('mnist-vampprior', { as: PriorVAE });
    const u = model.pseudoInputs();
    expect(u.shape).toEqual([100, 784]);
    const values = await u.data();
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    const digits = model.sample(4, { seed: 2 });
    expect(digits.shape).toEqual([4, 28, 28, 1]);
    tf.dispose([u, digits]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The comparison on the card: the shipped standard-prior VAE's row is its own card's (re-measured above), and
    // the VampPrior's −log p(x) is lower than both standard-prior rows.
    const plain = modelCard('mnist-vae-20d').evaluation;
    const rows = card.comparison ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ negativeElbo: plain.negativeElbo, isNll: plain.isNll, kl: plain.kl });
    expect(card.evaluation.importanceSamples).toBe(plain.importanceSamples);
    for (const row of rows) expect(card.evaluation.isNll as number).toBeLessThan(row.isNll);
  });

  it('refuses an unknown name, listing the names there are', async () => {
    await expect(fromPretrained('mnist-vae-3d')).rejects.toThrow(
      /no pretrained model named "mnist-vae-3d"; the names are mnist-vae-2d, mnist-vae-20d, fashion-mnist-vae-2d, dsprites-beta-vae, frey-face-vae, mnist-vampprior\./,
    );
    expect(() => modelCard('__proto__')).toThrow(/no pretrained model/);
  });

  it('asks for baseUrl in the browser entry', async () => {
    await expect(fromUrl('mnist-vae-2d', {} as { baseUrl: string })).rejects.toThrow(
      /pass \{ baseUrl \}.*@vae\/pretrained\/node/,
    );
  });
});

describe('fromPretrained({ baseUrl }) (the browser path, over a local server)', () => {
  let root: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vae-pretrained-'));
    await cp(PRETRAINED_DIRECTORY, join(root, 'intact'), { recursive: true });
    // damaged: one byte of the weights changed.
    await cp(pretrainedDirectory('mnist-vae-2d'), join(root, 'damaged', 'mnist-vae-2d'), { recursive: true });
    const damaged = join(root, 'damaged', 'mnist-vae-2d', 'weights.bin');
    const bytes = await readFile(damaged);
    bytes[1000] ^= 0x40;
    await writeFile(damaged, bytes);
    // replaced: other weights with a model.json that records their checksum (consistent, but not the pinned model).
    await cp(join(root, 'damaged'), join(root, 'replaced'), { recursive: true });
    const jsonPath = join(root, 'replaced', 'mnist-vae-2d', 'model.json');
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    json.modelTopology.weightsSha256 = sha256(bytes);
    await writeFile(jsonPath, JSON.stringify(json));
    ({ server, url: base } = await serve(root));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('loads the same model as from the package, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const local = await fromPretrained('mnist-vae-2d', { as: VAE });
    const remote = await fromPretrained('mnist-vae-2d', { as: VAE, baseUrl: `${base}intact` });
    const viaBrowserEntry = await fromUrl('mnist-vae-2d', { baseUrl: `${base}intact/`, as: VAE });
    const z = tf.tensor2d([
      [0.5, -1],
      [2, 0.25],
    ]);
    const a = local.decode(z);
    const b = remote.decode(z);
    const c = viaBrowserEntry.decode(z);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect(Array.from(await c.data())).toEqual(Array.from(await a.data()));
    tf.dispose([z, a, b, c]);
    for (const model of [local, remote, viaBrowserEntry]) model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(pretrainedUrl('mnist-vae-2d', 'https://example.com/p').href).toBe(
      'https://example.com/p/mnist-vae-2d/model.json',
    );
  });

  it('refuses damaged weights with a clear error, allocating nothing', async () => {
    const before = tf.memory().numTensors;
    await expect(fromPretrained('mnist-vae-2d', { baseUrl: `${base}damaged/` })).rejects.toThrow(
      /do not match their recorded SHA-256.*damaged or were changed after saving/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a model replaced whole (model.json and weights agree, but not the pinned checksum)', async () => {
    const before = tf.memory().numTensors;
    await expect(fromPretrained('mnist-vae-2d', { baseUrl: `${base}replaced/` })).rejects.toThrow(
      /weights checksum is [0-9a-f]{12}…, not the expected [0-9a-f]{12}…; this is not the pinned model/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a missing model folder on the server', async () => {
    await expect(fromPretrained('dsprites-beta-vae', { baseUrl: `${base}damaged/` })).rejects.toThrow(
      /model\.json .*answered 404/,
    );
  });
});
