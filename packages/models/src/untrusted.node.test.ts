/**
 * Model folders and checkpoints as an attacker would write them. The corpus is made here, in a temporary folder,
 * from a real saved model: every case must end quickly with a message that names the problem, allocate nothing
 * large, and read nothing outside the folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Autoencoder } from './autoencoder/autoencoder.model';
import { loadModel, saveModel } from './io';
import {
  checkpointDirectory,
  fileSystem,
  loadCheckpointFromDirectory,
  loadModelFromDirectory,
  saveModelToDirectory,
} from './node';
import { DivergenceError } from './training/fit';
import { VAE } from './vae/vae.model';

let root: string;
let original: string;
const quiet = { onWarning: () => {} };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-hostile-'));
  original = join(root, 'original');
  const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
  await saveModelToDirectory(model, original);
  model.dispose();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let copies = 0;
/** A copy of the saved model with model.json changed by `edit` (and the weights by `weights`). */
async function tampered(
  edit: (json: Record<string, any>) => void = () => {},
  weights?: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array,
): Promise<string> {
  const dir = join(root, `case-${copies++}`);
  await mkdir(dir);
  const json = JSON.parse(await readFile(join(original, 'model.json'), 'utf8'));
  let bytes: Uint8Array = new Uint8Array(await readFile(join(original, 'weights.bin')));
  if (weights) bytes = weights(bytes as Uint8Array<ArrayBuffer>);
  edit(json);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'weights.bin'), bytes);
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Expects loading `dir` to fail with `pattern` within a few seconds, without tensors left behind. */
async function refused(dir: string, pattern: RegExp, options = {}) {
  const before = tf.memory().numTensors;
  const started = performance.now();
  await expect(loadModelFromDirectory(dir, { ...quiet, ...options })).rejects.toThrow(pattern);
  expect(performance.now() - started).toBeLessThan(5000);
  expect(tf.memory().numTensors).toBe(before);
}

describe('model folders are untrusted', () => {
  it('loads the intact copy, verifying its SHA-256, with no notice', async () => {
    const warnings: string[] = [];
    const model = await loadModelFromDirectory(original, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    const json = JSON.parse(await readFile(join(original, 'model.json'), 'utf8'));
    expect(json.modelTopology.weightsSha256).toBe(sha256(await readFile(join(original, 'weights.bin'))));
    model.dispose();
  });

  it.each([
    ['../../etc/passwd', /leaves the folder/],
    ['/proc/self/environ', /is absolute/],
    ['/dev/zero', /is absolute/],
    ['./sub/../../outside.bin', /leaves the folder/],
    ['file:///etc/passwd', /URL or a drive path/],
    ['C:/Windows/win.ini', /URL or a drive path/],
    ['..\\..\\secret', /backslash/],
    ['weights.bin\u0000.txt', /NUL/],
    [42, /not a non-empty string/],
  ])('refuses the weights path %j', async (path, pattern) => {
    const dir = await tampered((json) => {
      json.weightsManifest[0].paths = [path];
    });
    await refused(dir, pattern);
  });

  it('refuses a weights file that is a symlink out of the folder (to a file, or to /dev/zero)', async () => {
    const outside = join(root, 'outside.bin');
    await writeFile(outside, await readFile(join(original, 'weights.bin')));
    for (const target of [outside, '/dev/zero']) {
      const dir = await tampered();
      await rm(join(dir, 'weights.bin'));
      await symlink(target, join(dir, 'weights.bin'));
      await refused(dir, /outside the folder .*through a symlink/);
    }
  });

  it('refuses a model.json that links out of the folder', async () => {
    const dir = await tampered();
    await rm(join(dir, 'model.json'));
    await symlink(join(original, 'model.json'), join(dir, 'model.json'));
    await refused(dir, /outside the folder/);
  });

  it('refuses a FIFO, a directory or a device inside the folder without blocking', async () => {
    const fifo = await tampered();
    await rm(join(fifo, 'weights.bin'));
    try {
      execFileSync('mkfifo', [join(fifo, 'weights.bin')]);
      await refused(fifo, /FIFO .*not a regular file/);
    } catch (error) {
      if (!String(error).includes('ENOENT')) throw error; // no mkfifo here: nothing to test
    }
    const directory = await tampered();
    await rm(join(directory, 'weights.bin'));
    await mkdir(join(directory, 'weights.bin'));
    await refused(directory, /directory, not a regular file/);
    const jsonDirectory = await tampered();
    await rm(join(jsonDirectory, 'model.json'));
    await mkdir(join(jsonDirectory, 'model.json'));
    await refused(jsonDirectory, /directory, not a regular file/);
  });

  it('refuses a model.json of 100 MB before reading it', async () => {
    const dir = await tampered();
    await truncate(join(dir, 'model.json'), 100 * 2 ** 20); // sparse: no disk used
    const rss = process.memoryUsage().rss;
    await refused(dir, /more than the limit/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 2 ** 20);
  });

  it('refuses a weights file larger than its manifest, and a truncated one', async () => {
    const big = await tampered();
    await truncate(join(big, 'weights.bin'), 2 ** 30); // sparse 1 GiB
    const rss = process.memoryUsage().rss;
    await refused(big, /larger than model.json describes/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 2 ** 20);
    await refused(await tampered(undefined, (b) => b.slice(0, 10)), /incomplete or from different saves/);
  });

  it('refuses a manifest that declares gigabytes, before reading any weights', async () => {
    const dir = await tampered((json) => {
      json.weightsManifest[0].weights[0].shape = [100000, 100000];
    });
    await refused(dir, /more than 1,073,741,824 bytes of weights .*larger maxBytes/);
    const small = await tampered();
    await refused(small, /more than 100 bytes/, { maxBytes: 100 });
  });

  it.each([
    ['a negative size', (w: any) => (w.shape = [-1, 5])],
    ['a fractional size', (w: any) => (w.shape = [2.5, 5])],
    ['an unknown dtype', (w: any) => (w.dtype = 'complex64')],
    ['an unknown quantization', (w: any) => (w.quantization = { dtype: 'int4' })],
    // a scale that overflows to infinity, and tfjs decodes some pairings only halfway before throwing (leaking)
    ['uint8 quantization', (w: any) => (w.quantization = { dtype: 'uint8', scale: 1e38, min: 0 })],
    [
      'float16 quantization of int32',
      (w: any) => Object.assign(w, { dtype: 'int32', quantization: { dtype: 'float16' } }),
    ],
    // would set the prototype of the weights map: the tensor would be loaded and never disposed
    ['the name __proto__', (w: any) => (w.name = '__proto__')],
    ['no name', (w: any) => delete w.name],
  ])('refuses a manifest entry with %s', async (_, edit) => {
    const dir = await tampered((json) => edit(json.weightsManifest[0].weights[0]));
    await refused(dir, /weight 0 of the manifest/);
  });

  it('refuses weights changed after saving (one flipped byte) by their SHA-256', async () => {
    const dir = await tampered(undefined, (bytes) => {
      const copy = bytes.slice();
      copy[17] ^= 0x01;
      return copy;
    });
    await refused(dir, /do not match their recorded SHA-256/);
  });

  it('refuses NaN and infinite weights, naming the tensor', async () => {
    const nan = await tampered(undefined, (bytes) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setFloat32(4 * 3, Number.NaN, true);
      return copy;
    });
    // The attacker also rewrites the checksum: the finite check still stops it.
    const json = JSON.parse(await readFile(join(nan, 'model.json'), 'utf8'));
    json.modelTopology.weightsSha256 = sha256(await readFile(join(nan, 'weights.bin')));
    await writeFile(join(nan, 'model.json'), JSON.stringify(json));
    await refused(nan, new RegExp(`weight '${json.weightsManifest[0].weights[0].name}' holds a non-finite`));

    // A model that diverged and was saved anyway.
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
    model.variables['decoder/logits/bias'].assign(tf.fill([6], Number.POSITIVE_INFINITY));
    const dir = join(root, 'diverged');
    await saveModelToDirectory(model, dir);
    model.dispose();
    await refused(dir, /weight 'decoder\/logits\/bias' holds a non-finite value/);
  });

  it('refuses a config that asks for a huge model before building it', async () => {
    for (const edit of [
      (c: any) => (c.latentDim = 1e9),
      (c: any) => (c.hiddenUnits = [50000, 50000]),
      (c: any) => (c.inputShape = [4096, 4096, 3]),
      (c: any) => (c.latentDim = 1e300),
    ]) {
      const dir = await tampered((json) => edit(json.modelTopology.config));
      const rss = process.memoryUsage().rss;
      await refused(dir, /config describes a model with at least .* weights, but the files hold 127;/);
      expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 2 ** 20);
    }
  });

  it('refuses configs that the class itself rejects, unknown classes and newer formats', async () => {
    await refused(
      await tampered((json) => (json.modelTopology.config.latentDim = -3)),
      /saved config is not valid .*latentDim/,
    );
    await refused(
      await tampered((json) => (json.modelTopology.className = 'constructor')),
      /unknown model class 'constructor'/,
    );
    await refused(
      await tampered((json) => (json.modelTopology.className = '__proto__')),
      /unknown model class/,
    );
    await refused(
      await tampered((json) => (json.modelTopology.formatVersion = 99)),
      /newer than this @vae\/models supports/,
    );
    await refused(await tampered((json) => (json.modelTopology.config = 'x')), /no config object/);
    await refused(await tampered((json) => (json.weightsManifest = {})), /no valid weightsManifest/);
  });

  it('loads a model saved before checksums existed, with a notice', async () => {
    const dir = await tampered((json) => delete json.modelTopology.weightsSha256);
    const warnings: string[] = [];
    const model = await loadModelFromDirectory(dir, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no checksum .*save it again/);
    model.dispose();
  });

  it('saves float16 weights (half the bytes, checksummed) that load within half precision', async () => {
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
    const dir = join(root, 'half');
    await saveModelToDirectory(model, dir, { float16: true });
    expect((await stat(join(dir, 'weights.bin'))).size).toBe(
      (await stat(join(original, 'weights.bin'))).size / 2,
    );
    const loaded = await loadModelFromDirectory(dir);
    for (const [name, v] of Object.entries(model.variables)) {
      const a = await v.data();
      const b = await loaded.variables[name].data();
      a.forEach((x, i) => {
        expect(Math.abs(x - b[i])).toBeLessThanOrEqual(Math.abs(x) * 1e-3 + 1e-7);
      });
    }
    model.dispose();
    loaded.dispose();
  });

  it('loads through any IO handler with the same checks (here: fromMemory with a NaN weight)', async () => {
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
    let saved: tf.io.ModelArtifacts | undefined;
    await saveModel(model, {
      save: async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    model.dispose();
    const artifacts = saved as tf.io.ModelArtifacts;
    const loaded = await loadModel(tf.io.fromMemory(artifacts));
    loaded.dispose();
    const bytes = new Uint8Array((artifacts.weightData as ArrayBuffer).slice(0));
    new DataView(bytes.buffer).setFloat32(0, Number.NaN, true);
    await expect(
      loadModel(tf.io.fromMemory({ ...artifacts, weightData: bytes.buffer }), quiet),
    ).rejects.toThrow(/do not match their recorded SHA-256/);
  });

  it("explains a folder passed to loadModel in Node, and a save handler passed as fileSystem's", async () => {
    await expect(loadModel('my-model-folder')).rejects.toThrow(
      /loadModelFromDirectory from '@vae\/models\/node'/,
    );
    await expect(loadModel(fileSystem(join(root, 'missing')))).rejects.toThrow(/no saved model at/);
  });
});

describe('checkpoints are untrusted', () => {
  let dir: string;
  const x = () => tf.tidy(() => tf.step(tf.sub(tf.randomUniform([16, 6], 0, 1, 'float32', 1), 0.5)));

  beforeAll(async () => {
    dir = join(root, 'checkpoint');
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 2, seed: 2 });
    const data = x();
    await model.fit(tensorSource(data), {
      epochs: 2,
      batchSize: 8,
      seed: 1,
      checkpoint: { handler: checkpointDirectory(dir) },
    });
    data.dispose();
    model.dispose();
  });

  async function tamperedCheckpoint(edit: (json: Record<string, any>) => void): Promise<string> {
    const copy = join(root, `checkpoint-${copies++}`);
    await mkdir(copy);
    for (const name of await readdir(dir)) await writeFile(join(copy, name), await readFile(join(dir, name)));
    const json = JSON.parse(await readFile(join(copy, 'checkpoint.json'), 'utf8'));
    edit(json);
    await writeFile(join(copy, 'checkpoint.json'), JSON.stringify(json));
    return copy;
  }

  it.each([
    ['batchSize 1e12', (t: any) => (t.batchSize = 1e12), /training.batchSize is 1000000000000/],
    ['batch 1e12', (t: any) => (t.batch = 1e12), /training.batch is/],
    ['epoch -1', (t: any) => (t.epoch = -1), /training.epoch is -1/],
    ['randomState NaN', (t: any) => (t.randomState = 'NaN'), /training.randomState/],
    ['no partial sums', (t: any) => (t.partial = { sums: [1], seen: 0, seconds: 0 }), /partial.sums/],
    ['a history of garbage', (t: any) => (t.history = [{ epoch: 1 }]), /training.history\[0\]/],
    ['a broken schedule', (t: any) => (t.klSchedule = { kind: 'linear', steps: -4 }), /training.klSchedule/],
    ['shuffle "yes"', (t: any) => (t.shuffle = 'yes'), /training.shuffle/],
  ])('refuses a checkpoint with %s, naming the field', async (_, edit, pattern) => {
    const copy = await tamperedCheckpoint((json) => edit(json.modelTopology.training));
    const before = tf.memory().numTensors;
    const started = performance.now();
    await expect(loadCheckpointFromDirectory(copy)).rejects.toThrow(pattern);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses optimizer state that does not fit the model, leaking nothing', async () => {
    // fewer declared than present: the rest would be loaded and never disposed
    const copy = await tamperedCheckpoint((json) => {
      json.modelTopology.optimizer.weights = 3;
    });
    const before = tf.memory().numTensors;
    await expect(loadCheckpointFromDirectory(copy)).rejects.toThrow(
      /the weights hold 'optimizer\/3', an optimizer weight the checkpoint does not declare/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['a negative learning rate', 'learningRate', -1, /optimizer.config.learningRate is -1, not above 0/],
    ['a negative epsilon', 'epsilon', -1e-8, /optimizer.config.epsilon is -1e-8, not at least 0/],
    ['beta1 of 1', 'beta1', 1, /optimizer.config.beta1 is 1, not in \[0, 1\)/],
  ])('refuses an optimizer config with %s', async (_, key, value, pattern) => {
    const copy = await tamperedCheckpoint((json) => {
      json.modelTopology.optimizer.config[key] = value;
    });
    await expect(loadCheckpointFromDirectory(copy)).rejects.toThrow(pattern);
  });

  it('refuses a negative iteration count (an infinite Adam step) with its checksum redone, leaking nothing', async () => {
    const copy = await tamperedCheckpoint(() => {});
    const json = JSON.parse(await readFile(join(copy, 'checkpoint.json'), 'utf8'));
    const [group] = json.weightsManifest;
    const file = join(copy, group.paths[0]);
    const bytes = await readFile(file);
    let offset = 0;
    for (const w of group.weights) {
      if (w.name === 'optimizer/0') break;
      offset += 4 * w.shape.reduce((a: number, b: number) => a * b, 1);
    }
    bytes.writeInt32LE(-1, offset);
    await writeFile(file, bytes);
    json.modelTopology.weightsSha256 = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(copy, 'checkpoint.json'), JSON.stringify(json));
    const before = tf.memory().numTensors;
    await expect(loadCheckpointFromDirectory(copy)).rejects.toThrow(
      /optimizer's iteration count is -1, not a whole number of steps/,
    );
    // the model built before the check is disposed too
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses, in fit, a position that does not exist in the data (no replay loop)', async () => {
    const copy = await tamperedCheckpoint((json) => {
      json.modelTopology.training.batch = 500_000_000;
      json.modelTopology.training.partial.seen = 1;
    });
    const loaded = await loadCheckpointFromDirectory(copy);
    if (!loaded) throw new Error('expected a checkpoint');
    const data = x();
    const started = performance.now();
    await expect(
      (loaded.model as VAE).fit(tensorSource(data), { epochs: 4, resumeFrom: loaded.checkpoint }),
    ).rejects.toThrow(/stopped after batch 500000000 of an epoch, but this data has 2 batches of 8/);
    expect(performance.now() - started).toBeLessThan(2000);
    loaded.checkpoint.dispose();
    loaded.model.dispose();
    data.dispose();
  });

  it('never removes a file it did not write from the checkpoint folder', async () => {
    const copy = join(root, 'shared-folder');
    await mkdir(copy);
    const foreign = ['weights-2024-backup.bin', 'weights-final.bin', 'notes.txt'];
    for (const name of foreign) await writeFile(join(copy, name), name);
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 2, seed: 2 });
    const data = x();
    await model.fit(tensorSource(data), {
      epochs: 3,
      batchSize: 8,
      seed: 1,
      checkpoint: { handler: checkpointDirectory(copy) },
    });
    const names = await readdir(copy);
    for (const name of foreign) expect(await readFile(join(copy, name), 'utf8')).toBe(name);
    expect(names.filter((n) => n.startsWith('weights-') && !foreign.includes(n))).toHaveLength(1);
    data.dispose();
    model.dispose();
  });
});

describe('training stops when the loss explodes', () => {
  it('an autoencoder at learning rate 1e6 stops with a DivergenceError, keeping finite weights', async () => {
    const model = new Autoencoder({ inputShape: [6], hiddenUnits: [8], latentDim: 2, seed: 1 });
    const data = tf.tidy(() => tf.step(tf.sub(tf.randomUniform([64, 6], 0, 1, 'float32', 1), 0.5)));
    const error = await model
      .fit(tensorSource(data), { epochs: 50, batchSize: 8, seed: 1, learningRate: 1e6 })
      .then(() => null)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error.message).toMatch(/exploded to .* more than 1000x its running scale/);
    for (const v of Object.values(model.variables)) {
      expect((await v.data()).every(Number.isFinite)).toBe(true);
    }
    // The same run with the guard off trains on (into huge values) without this error.
    const unguarded = new Autoencoder({ inputShape: [6], hiddenUnits: [8], latentDim: 2, seed: 1 });
    const result = await unguarded
      .fit(tensorSource(data), { epochs: 2, batchSize: 8, seed: 1, learningRate: 1e6, divergence: false })
      .then(() => null)
      .catch((e) => e);
    expect(result instanceof DivergenceError).toBe(false);
    data.dispose();
    model.dispose();
    unguarded.dispose();
  });

  it('does not stop ordinary training (the guard never fires at a sane learning rate)', async () => {
    const model = new VAE({ inputShape: [6], hiddenUnits: [8], latentDim: 2, seed: 1 });
    const data = tf.tidy(() => tf.step(tf.sub(tf.randomUniform([64, 6], 0, 1, 'float32', 1), 0.5)));
    const history = await model.fit(tensorSource(data), {
      epochs: 10,
      batchSize: 8,
      seed: 1,
      learningRate: 1e-2,
    });
    expect(history.epochs).toHaveLength(10);
    data.dispose();
    model.dispose();
  });
});
