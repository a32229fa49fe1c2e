/**
 * Parity with PyTorch, both directions, for every model kind and architecture of `EXCHANGE_CASES`: the same weights
 * give the same encoder outputs, decoder outputs, reconstructions, log-likelihoods, ELBO terms, bounds and loss terms
 * here (on this project's backend, cpu or wasm) and in python/vae_torch, within 1e-5 relative (float32).
 *
 * - tfjs -> PyTorch: a model built and randomized here is exported (`modelToSafetensors`); PyTorch loads it and
 *   computes its outputs on the same inputs and noise.
 * - PyTorch -> tfjs: PyTorch initializes a model of the same config and saves it; it is loaded here
 *   (`modelFromSafetensors`) and its outputs compared with PyTorch's.
 *
 * "Relative" is per output: max |ours - theirs| over its values, divided by max |theirs| (at least 1e-3, so that
 * values that are nearly 0 are compared in absolute terms); IWAE's weightedKl, defined as total - reconstruction,
 * is compared relative to those two terms (the difference of two float32 numbers is only that accurate), and
 * beta-TCVAE's three KL parts relative to the largest of them. The second-wave models (beta-TCVAE, DIP-VAE,
 * InfoVAE, FactorVAE, PriorVAE, VQ-VAE) add their own outputs: the KL parts, the MMD to the prior (its prior draws
 * passed to PyTorch), the learned prior's log-density and pseudo-inputs, the discriminator's logits and loss (its
 * permutations passed), the code indices and the code prior's log-probabilities. Needs `/usr/bin/python3` with torch and numpy
 * (`apt-get install python3-torch python3-numpy`); without them the test is skipped with a message, and under CI
 * it fails. Override the interpreter with VAE_PYTHON.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../layers'; // convolutional models
import { AUTOENCODER_DEFAULTS } from '../autoencoder/autoencoder.config';
import { BETA_TCVAE_DEFAULTS } from '../beta-tcvae/beta-tcvae.config';
import { BETA_VAE_DEFAULTS } from '../beta-vae/beta-vae.config';
import { CONDITIONAL_VAE_DEFAULTS } from '../conditional-vae/conditional-vae.config';
import { CONTRACTIVE_AUTOENCODER_DEFAULTS } from '../contractive-autoencoder/contractive-autoencoder.config';
import { DB_VAE_DEFAULTS } from '../db-vae/db-vae.config';
import { DENOISING_AUTOENCODER_DEFAULTS } from '../denoising-autoencoder/denoising-autoencoder.config';
import { DIP_VAE_DEFAULTS } from '../dip-vae/dip-vae.config';
import { FACTOR_VAE_DEFAULTS } from '../factor-vae/factor-vae.config';
import { INFO_VAE_DEFAULTS } from '../info-vae/info-vae.config';
import { IWAE_DEFAULTS } from '../iwae/iwae.config';
import { LINEAR_AUTOENCODER_DEFAULTS } from '../linear-autoencoder/linear-autoencoder.config';
import { PRIOR_VAE_DEFAULTS } from '../prior-vae/prior-vae.config';
import { MODEL_REGISTRY, type SavableModel } from '../registry';
import { SPARSE_AUTOENCODER_DEFAULTS } from '../sparse-autoencoder/sparse-autoencoder.config';
import { TIED_AUTOENCODER_DEFAULTS } from '../tied-autoencoder/tied-autoencoder.config';
import { VAE_DEFAULTS } from '../vae/vae.config';
import { VQ_VAE_DEFAULTS } from '../vqvae/vqvae.config';
import { EXCHANGE_CASES, type ExchangeCase, randomizeVariables } from './cases.test-utils';
import {
  float32ToTensor,
  readSafetensors,
  type SafetensorsTensor,
  tensorToFloat32,
  writeSafetensors,
} from './format';
import { modelFromSafetensors, modelToSafetensors } from './model';

const PYTHON = process.env.VAE_PYTHON ?? '/usr/bin/python3';
const PYTHON_ROOT = fileURLToPath(new URL('../../../../python', import.meta.url));
const TOLERANCE = 1e-5;
const BATCH = 5;

/** Why PyTorch cannot run here, or null when it can. */
function pytorchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} has no torch/numpy (${probe.stderr.trim().split('\n').pop()})`;
  return null;
}

const missing = pytorchMissing();
if (missing && !process.env.CI) {
  console.warn(
    `\n  SKIPPING the PyTorch parity tests: ${missing}. Install them with ` +
      '`apt-get install -y python3-torch python3-numpy` (CI does).\n',
  );
}

const DEFAULTS = {
  Autoencoder: AUTOENCODER_DEFAULTS,
  LinearAutoencoder: LINEAR_AUTOENCODER_DEFAULTS,
  TiedAutoencoder: TIED_AUTOENCODER_DEFAULTS,
  SparseAutoencoder: SPARSE_AUTOENCODER_DEFAULTS,
  DenoisingAutoencoder: DENOISING_AUTOENCODER_DEFAULTS,
  ContractiveAutoencoder: CONTRACTIVE_AUTOENCODER_DEFAULTS,
  VAE: VAE_DEFAULTS,
  BetaVAE: BETA_VAE_DEFAULTS,
  ConditionalVAE: CONDITIONAL_VAE_DEFAULTS,
  IWAE: IWAE_DEFAULTS,
  BetaTCVAE: BETA_TCVAE_DEFAULTS,
  DipVAE: DIP_VAE_DEFAULTS,
  InfoVAE: INFO_VAE_DEFAULTS,
  FactorVAE: FACTOR_VAE_DEFAULTS,
  PriorVAE: PRIOR_VAE_DEFAULTS,
  VQVAE: VQ_VAE_DEFAULTS,
  DBVAE: DB_VAE_DEFAULTS,
};

/** Flat rows in PyTorch's (channel, height, width) order from [batch, ...inputShape] or channels-last rows. */
function channelsFirstRows(t: tf.Tensor, inputShape: number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const batch = t.shape[0];
    if (inputShape.length !== 3) return tf.reshape(t, [batch, -1]) as tf.Tensor2D;
    const image = tf.reshape(t, [batch, ...inputShape]);
    return tf.reshape(tf.transpose(image, [0, 3, 1, 2]), [batch, -1]) as tf.Tensor2D;
  });
}

interface CaseInputs {
  x: tf.Tensor;
  z: tf.Tensor2D;
  labels?: tf.Tensor1D;
  seed: number;
  step: number;
  corrupted?: tf.Tensor2D;
  /** VQVAE: code indices [batch, positions] whose prior log-probability both sides compute. */
  codes?: tf.Tensor2D;
}

/** What the Python side compares, computed here; every tensor flattened and channel-major. */
async function outputsOf(
  model: SavableModel,
  c: ExchangeCase,
  inputs: CaseInputs,
): Promise<Record<string, Float32Array>> {
  const m = model as any;
  const shape = c.config.inputShape as number[];
  const { x, z, labels, seed, step } = inputs;
  const record: Record<string, tf.Tensor> = {};
  const probabilistic = typeof m.elboTerms === 'function';
  tf.tidy(() => {
    if (c.className === 'VQVAE') {
      record.encode = m.encode(x);
      record.encodeIndices = tf.cast(m.encodeIndices(x), 'float32');
      record.decode = channelsFirstRows(m.decode(z), shape);
      record.logPriorOfCodes = m.logPriorOfCodes(inputs.codes);
    } else if (probabilistic) {
      const { mean, logVar } = m.encode(x, labels);
      record['encode.mean'] = mean;
      record['encode.logVar'] = logVar;
      const decoded = m.decoderOutputs(z, labels);
      for (const [key, value] of Object.entries(decoded)) {
        if (value) record[`decoder.${key}`] = channelsFirstRows(value as tf.Tensor, shape);
      }
      record.decode = channelsFirstRows(m.decode(z, labels), shape);
      record.logLikelihood = m.logLikelihood(x, z, labels);
      const elbo = m.elboTerms(x, { seed, labels });
      record['elbo.reconstruction'] = elbo.reconstruction;
      record['elbo.kl'] = elbo.kl;
      if (c.className === 'IWAE') record.lowerBound = m.lowerBound(x, { seed });
      if (c.className === 'DBVAE') record.classifierLogits = m.classifierLogits(x);
      if (c.className === 'BetaTCVAE') {
        const parts = m.klParts(x, { seed });
        for (const [key, value] of Object.entries(parts)) record[`klParts.${key}`] = value as tf.Tensor;
      }
      if (c.className === 'InfoVAE') record.mmdToPrior = m.mmdToPrior(z, seed);
      if (c.className === 'PriorVAE') {
        record.logPrior = m.logPrior(z);
        if (m.config.prior === 'vamp') record.pseudoInputs = channelsFirstRows(m.pseudoInputs(), shape);
      }
      if (c.className === 'FactorVAE') {
        record.discriminate = m.discriminate(z);
        record.discriminatorLoss = m.discriminatorLoss(x, { seed });
        record.totalCorrelationEstimate = m.totalCorrelationEstimate(x, { seed });
      }
    } else {
      record.encode = m.encode(x);
      record['decoder.raw'] = channelsFirstRows(m.decodeRaw(z), shape);
      record.decode = channelsFirstRows(m.decode(z), shape);
      if (c.className === 'ContractiveAutoencoder') record.jacobianNorm = m.jacobianNorm(x);
    }
    const { total, terms } = m.trainingLoss(x, { seed, step, labels });
    for (const key of ['reconstruction', 'kl', 'weightedKl', 'regularizer'] as const) {
      record[`loss.${key}`] = terms[key];
    }
    record['loss.total'] = total;
    for (const value of Object.values(record)) tf.keep(value);
  });
  const out: Record<string, Float32Array> = {};
  for (const [key, value] of Object.entries(record)) out[key] = (await value.data()) as Float32Array;
  tf.dispose(Object.values(record));
  return out;
}

function int32Tensor(values: Int32Array, shape = [values.length]): SafetensorsTensor {
  const data = new Uint8Array(values.length * 4);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => {
    view.setInt32(4 * i, v, true);
  });
  return { dtype: 'I32', shape, data };
}

let directory: string;
const built = new Map<string, { model: SavableModel; inputs: CaseInputs }>();
const pythonResult: { defaultsMismatch: unknown[]; errors: Record<string, string>; torch?: string } = {
  defaultsMismatch: [],
  errors: {},
};
const differences: Array<{ case: string; direction: string; worst: string; relative: number }> = [];

describe.skipIf(missing !== null && !process.env.CI)('parity with PyTorch (python/vae_torch)', () => {
  beforeAll(async () => {
    if (missing) throw new Error(`PyTorch is required under CI: ${missing}.`);
    directory = await mkdtemp(join(tmpdir(), 'vae-parity-'));
    await writeFile(join(directory, 'defaults.json'), JSON.stringify(DEFAULTS));
    for (const [index, c] of EXCHANGE_CASES.entries()) {
      const Class = MODEL_REGISTRY[c.className];
      const model = new Class(c.config as never) as SavableModel;
      randomizeVariables(model, 50 + index);
      const config = model.config as Record<string, any>;
      const shape = config.inputShape as number[];
      const seed = 7 + index;
      const x =
        c.data === 'unit'
          ? tf.randomUniform([BATCH, ...shape], 0, 1, 'float32', seed)
          : tf.randomNormal([BATCH, ...shape], 0, 1, 'float32', seed);
      const latent = config.latentDim as number;
      const z = tf.randomNormal([BATCH, latent], 0, 1, 'float32', seed + 100) as tf.Tensor2D;
      const labels =
        c.className === 'ConditionalVAE' || c.className === 'DBVAE'
          ? tf.tensor1d(
              Array.from({ length: BATCH }, (_, i) => i % (config.numClasses ?? 3)),
              'int32',
            )
          : undefined;
      const codes =
        c.className === 'VQVAE'
          ? tf.tensor2d(
              Array.from({ length: BATCH * config.positions }, (_, i) => (7 * i + 3) % config.codebookSize),
              [BATCH, config.positions],
              'int32',
            )
          : undefined;
      const inputs: CaseInputs = { x, z, labels, seed, step: 37, codes };
      // The noise the models draw with `seed`: reparameterize and DiagonalGaussian.sample use these draws.
      const samples = (config.samples as number | undefined) ?? 1;
      const lossSamples = c.className === 'IWAE' ? (config.importanceSamples as number) : samples;
      const noise = (count: number) =>
        tf.tidy(() =>
          tf.reshape(
            tf.randomNormal(count === 1 ? [BATCH, latent] : [count, BATCH, latent], 0, 1, 'float32', seed),
            [count, BATCH, latent],
          ),
        );
      const tensors: Array<[string, SafetensorsTensor]> = [];
      const add = async (name: string, t: tf.Tensor) => {
        tensors.push([name, float32ToTensor((await t.data()) as Float32Array, t.shape, 'float32')]);
        t.dispose();
      };
      await add('x', channelsFirstRows(x, shape));
      await add('z', tf.clone(z));
      await add('eps_elbo', noise(samples));
      await add('eps_loss', noise(lossSamples));
      if (labels) tensors.push(['labels', int32Tensor((await labels.data()) as Int32Array)]);
      if (codes) tensors.push(['codes', int32Tensor((await codes.data()) as Int32Array, codes.shape)]);
      if (c.className === 'InfoVAE') {
        // the prior's draws of mmdToPrior and the objective: seeded by the first seed of Random(seed)
        await add(
          'prior_draws',
          tf.randomNormal([BATCH, latent], 0, 1, 'float32', new Random(seed).nextSeed()),
        );
      }
      if (c.className === 'FactorVAE') {
        // permuteDimensions' orders in discriminatorLoss: Random(Random(seed).nextSeed()), one per dimension
        const random = new Random(new Random(seed).nextSeed());
        const orders = new Int32Array(latent * BATCH);
        for (let d = 0; d < latent; d++) orders.set(random.permutation(BATCH), d * BATCH);
        tensors.push(['orders', int32Tensor(orders, [latent, BATCH])]);
      }
      if (c.className === 'DenoisingAutoencoder') {
        const rows = tf.reshape(x, [BATCH, -1]);
        const corrupted = (model as any).corruptInput(rows, seed) as tf.Tensor;
        await add('corrupted', channelsFirstRows(corrupted, shape));
        rows.dispose();
      }
      const folder = join(directory, c.name);
      await mkdir(folder);
      await writeFile(join(folder, 'inputs.safetensors'), writeSafetensors(tensors, { step: '37' }));
      await writeFile(join(folder, 'tfjs.safetensors'), await modelToSafetensors(model));
      built.set(c.name, { model, inputs });
    }
    const run = spawnSync(PYTHON, ['-m', 'vae_torch.parity', directory], {
      cwd: PYTHON_ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    try {
      Object.assign(pythonResult, JSON.parse(await readFile(join(directory, 'result.json'), 'utf8')));
    } catch {
      throw new Error(`vae_torch.parity failed (exit ${run.status}): ${run.stderr || run.error?.message}`);
    }
  }, 300_000);

  afterAll(async () => {
    for (const { model, inputs } of built.values()) {
      model.dispose();
      tf.dispose([
        inputs.x,
        inputs.z,
        ...(inputs.labels ? [inputs.labels] : []),
        ...(inputs.codes ? [inputs.codes] : []),
      ]);
    }
    if (directory) await rm(directory, { recursive: true, force: true });
    if (differences.length) {
      const worst = differences.reduce((a, b) => (b.relative > a.relative ? b : a));
      console.log(
        `parity with PyTorch ${pythonResult.torch ?? ''} on ${tf.getBackend()}: ${differences.length} comparisons, ` +
          `largest relative difference ${worst.relative.toExponential(2)} (${worst.case}, ${worst.direction}, ` +
          `${worst.worst})`,
      );
    }
  });

  it('uses the same default configs on both sides', () => {
    expect(pythonResult.defaultsMismatch).toEqual([]);
  });

  async function compare(name: string, direction: string, ours: Record<string, Float32Array>, file: string) {
    const theirs = readSafetensors(new Uint8Array(await readFile(join(directory, name, file))));
    expect(Object.keys(ours).sort()).toEqual([...theirs.tensors.keys()].sort());
    const failures: string[] = [];
    let largest = { key: '', relative: 0 };
    for (const [key, tensor] of theirs.tensors) {
      const expected = tensorToFloat32(tensor);
      const actual = ours[key];
      expect(actual.length, key).toBe(expected.length);
      // IWAE's weightedKl is total - reconstruction: a difference, accurate relative to the terms it comes from.
      // beta-TCVAE's three KL parts are differences of minibatch log-densities (of the order of log N M): each is
      // compared relative to the largest of the three.
      const difference = key === 'loss.weightedKl' && name.startsWith('iwae');
      const references = difference
        ? ['loss.total', 'loss.reconstruction']
        : key.startsWith('klParts.')
          ? ['klParts.mutualInformation', 'klParts.totalCorrelation', 'klParts.dimensionWiseKl']
          : [];
      let scale = Math.max(
        1e-3,
        ...references.map((k) => Math.abs(tensorToFloat32(theirs.tensors.get(k) as SafetensorsTensor)[0])),
      );
      let worst = 0;
      for (let i = 0; i < expected.length; i++) {
        scale = Math.max(scale, Math.abs(expected[i]));
        worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      }
      const relative = worst / scale;
      if (!(relative <= TOLERANCE)) failures.push(`${key}: ${relative.toExponential(2)}`);
      if (relative > largest.relative) largest = { key, relative };
    }
    differences.push({ case: name, direction, worst: largest.key, relative: largest.relative });
    expect(failures, `${name} ${direction}`).toEqual([]);
  }

  it.each(EXCHANGE_CASES)('$name: tfjs weights give the same outputs in PyTorch', async (c) => {
    expect(pythonResult.errors[c.name]).toBeUndefined();
    const { model, inputs } = built.get(c.name) as { model: SavableModel; inputs: CaseInputs };
    await compare(c.name, 'tfjs -> PyTorch', await outputsOf(model, c, inputs), 'torch-on-tfjs.safetensors');
  });

  it.each(EXCHANGE_CASES)('$name: PyTorch weights give the same outputs here', async (c) => {
    expect(pythonResult.errors[c.name]).toBeUndefined();
    const { inputs } = built.get(c.name) as { model: SavableModel; inputs: CaseInputs };
    const bytes = new Uint8Array(await readFile(join(directory, c.name, 'torch-model.safetensors')));
    const model = await modelFromSafetensors(bytes);
    try {
      await compare(
        c.name,
        'PyTorch -> tfjs',
        await outputsOf(model, c, inputs),
        'torch-on-torch.safetensors',
      );
    } finally {
      model.dispose();
    }
  });
});
