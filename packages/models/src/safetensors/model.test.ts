/**
 * Models as safetensors with PyTorch state_dict names and layouts: every kind and architecture round-trips
 * exactly (float32) and within half precision (float16, bfloat16); the layouts are PyTorch's (checked on known
 * values); a file that does not match its config is refused with the names of the tensors that differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../layers'; // convolutional models
import { MODEL_REGISTRY, type SavableModel } from '../registry';
import { VAE } from '../vae/vae.model';
import { EXCHANGE_CASES, randomizeVariables } from './cases.test-utils';
import {
  float32ToTensor,
  readSafetensors,
  type SafetensorsTensor,
  tensorToFloat32,
  writeSafetensors,
} from './format';
import { modelFromSafetensors, modelToSafetensors } from './model';
import { channelsFirstOrder, pytorchLayout, pytorchName } from './pytorch-names';

const models: SavableModel[] = [];
afterEach(() => {
  for (const model of models.splice(0)) model.dispose();
});

function build(className: keyof typeof MODEL_REGISTRY, config: Record<string, unknown>): SavableModel {
  const model = new MODEL_REGISTRY[className](config as never) as SavableModel;
  models.push(model);
  return model;
}

async function values(model: SavableModel): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, variable] of Object.entries(model.variables))
    out[name] = Array.from(await variable.data());
  return out;
}

/** The file with its tensors and metadata changed by `edit` (the checksum dropped unless kept). */
function edited(
  bytes: Uint8Array,
  edit: (tensors: Map<string, SafetensorsTensor>, metadata: Record<string, string>) => void,
  keepChecksum = false,
): Uint8Array {
  const file = readSafetensors(bytes);
  const tensors = new Map(file.tensors);
  const metadata = { ...file.metadata };
  if (!keepChecksum) delete metadata['vae.weightsSha256'];
  edit(tensors, metadata);
  return writeSafetensors(tensors, metadata);
}

describe('PyTorch names', () => {
  it('maps variable names to state_dict keys', () => {
    expect(pytorchName('encoder/hidden0/kernel')).toBe('encoder.hidden.0.weight');
    expect(pytorchName('encoder/conv1/bias')).toBe('encoder.conv.1.bias');
    expect(pytorchName('decoder/deconv0/kernel')).toBe('decoder.deconv.0.weight');
    expect(pytorchName('decoder/logVar/kernel')).toBe('decoder.log_var.weight');
    expect(pytorchName('encoder/posterior/bias')).toBe('encoder.posterior.bias');
    expect(pytorchName('preprocess/mean')).toBe('preprocess.mean');
  });

  it('orders an image channels-first', () => {
    // [H=1, W=2, C=3]: channels-last index (w * 3 + c); channels-first position c * 2 + w
    expect(Array.from(channelsFirstOrder([1, 2, 3]) as Int32Array)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(channelsFirstOrder([4, 4, 1])).toBeNull();
    expect(channelsFirstOrder([16])).toBeNull();
  });

  it('stores dense kernels as [out, in], conv kernels OIHW, transposed-conv kernels [in, out, kH, kW]', async () => {
    const model = build('VAE', {
      inputShape: [4, 4, 1],
      network: 'conv',
      filters: [2, 3],
      kernelSize: 4,
      hiddenUnits: [5],
      latentDim: 2,
      seed: 1,
    });
    randomizeVariables(model, 1);
    const file = readSafetensors(await modelToSafetensors(model));
    const shapes = Object.fromEntries([...file.tensors].map(([name, t]) => [name, t.shape]));
    expect(shapes).toEqual({
      'encoder.conv.0.weight': [2, 1, 4, 4],
      'encoder.conv.0.bias': [2],
      'encoder.conv.1.weight': [3, 2, 4, 4],
      'encoder.conv.1.bias': [3],
      'encoder.hidden.0.weight': [5, 3],
      'encoder.hidden.0.bias': [5],
      'encoder.posterior.weight': [4, 5],
      'encoder.posterior.bias': [4],
      'decoder.hidden.0.weight': [5, 2],
      'decoder.hidden.0.bias': [5],
      'decoder.project.weight': [3, 5],
      'decoder.project.bias': [3],
      'decoder.deconv.0.weight': [3, 2, 4, 4],
      'decoder.deconv.0.bias': [2],
      'decoder.deconv.1.weight': [2, 1, 4, 4],
      'decoder.deconv.1.bias': [1],
    });
    const variables = model.variables;
    const ours = (name: string) => variables[name].arraySync() as any;
    const theirs = (name: string) => tensorToFloat32(file.tensors.get(name) as SafetensorsTensor);
    // Linear: weight[o][i] = kernel[i][o]
    const kernel = ours('encoder/posterior/kernel') as number[][];
    const weight = theirs('encoder.posterior.weight');
    for (let o = 0; o < 4; o++) for (let i = 0; i < 5; i++) expect(weight[o * 5 + i]).toBe(kernel[i][o]);
    // Conv2d: weight[o][i][y][x] = kernel[y][x][i][o]
    const conv = ours('encoder/conv1/kernel') as number[][][][];
    const convWeight = theirs('encoder.conv.1.weight');
    for (let o = 0; o < 3; o++)
      for (let i = 0; i < 2; i++)
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 4; x++)
            expect(convWeight[((o * 2 + i) * 4 + y) * 4 + x]).toBe(conv[y][x][i][o]);
    // ConvTranspose2d: weight[i][o][y][x] = kernel[y][x][o][i] (ours is [kH, kW, out, in])
    const deconv = ours('decoder/deconv0/kernel') as number[][][][];
    const deconvWeight = theirs('decoder.deconv.0.weight');
    for (let i = 0; i < 3; i++)
      for (let o = 0; o < 2; o++)
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 4; x++)
            expect(deconvWeight[((i * 2 + o) * 4 + y) * 4 + x]).toBe(deconv[y][x][o][i]);
  });

  it('reorders the inputs of the first dense layer and the outputs of the heads channels-first', async () => {
    const model = build('ConditionalVAE', {
      inputShape: [1, 2, 3],
      hiddenUnits: [],
      latentDim: 1,
      numClasses: 2,
    });
    randomizeVariables(model, 2);
    const file = readSafetensors(await modelToSafetensors(model));
    const order = [0, 3, 1, 4, 2, 5];
    const kernel = model.variables['encoder/posterior/kernel'].arraySync() as number[][]; // [6 + 2, 2]
    const weight = tensorToFloat32(file.tensors.get('encoder.posterior.weight') as SafetensorsTensor); // [2, 8]
    for (let o = 0; o < 2; o++) {
      for (let i = 0; i < 8; i++) expect(weight[o * 8 + i]).toBe(kernel[i < 6 ? order[i] : i][o]);
    }
    const bias = model.variables['decoder/logits/bias'].arraySync() as number[];
    const torchBias = tensorToFloat32(file.tensors.get('decoder.logits.bias') as SafetensorsTensor);
    expect(Array.from(torchBias)).toEqual(order.map((j) => bias[j]));
  });

  it('refuses a model with a user-supplied tfjs network', async () => {
    const model = build('VAE', { inputShape: [4], hiddenUnits: [], latentDim: 1 });
    const fake = {
      className: model.className,
      config: { ...(model.config as object), layers: { encoder: {} } },
      variables: {},
    };
    await expect(modelToSafetensors(fake as unknown as SavableModel)).rejects.toThrow(
      /no PyTorch counterpart/,
    );
  });
});

describe('models as safetensors', () => {
  it.each(EXCHANGE_CASES)('$name round-trips exactly in float32', async ({ className, config }) => {
    const model = build(className, config);
    randomizeVariables(model, 3);
    const bytes = await modelToSafetensors(model);
    const file = readSafetensors(bytes);
    expect(file.metadata['vae.className']).toBe(className);
    expect(JSON.parse(file.metadata['vae.config'])).toEqual(JSON.parse(JSON.stringify(model.config)));
    expect([...file.tensors.keys()]).toEqual(pytorchLayout(model).map((entry) => entry.name));
    const start = tf.memory().numTensors;
    build(className, config);
    const held = tf.memory().numTensors - start; // what a model of this config holds
    const before = tf.memory().numTensors;
    const loaded = await modelFromSafetensors(bytes, { onWarning: () => {} });
    models.push(loaded);
    expect(tf.memory().numTensors - before).toBe(held);
    expect(loaded.className).toBe(className);
    expect(await values(loaded)).toEqual(await values(model));
  });

  it.each(['float16', 'bfloat16'] as const)('round-trips in %s within its precision', async (dtype) => {
    const model = build('VAE', { inputShape: [2, 2, 3], hiddenUnits: [4], latentDim: 2, seed: 4 });
    randomizeVariables(model, 4);
    const bytes = await modelToSafetensors(model, { dtype });
    const file = readSafetensors(bytes);
    expect(new Set([...file.tensors.values()].map((t) => t.dtype))).toEqual(
      new Set([dtype === 'float16' ? 'F16' : 'BF16']),
    );
    const loaded = await modelFromSafetensors(bytes);
    models.push(loaded);
    const tolerance = dtype === 'float16' ? 2 ** -11 : 2 ** -8;
    const a = await values(model);
    const b = await values(loaded);
    for (const name of Object.keys(a)) {
      a[name].forEach((v, i) => {
        expect(Math.abs(b[name][i] - v)).toBeLessThanOrEqual(Math.abs(v) * tolerance + 1e-7);
      });
    }
  });

  it('reads a file without metadata when given the class and config', async () => {
    const model = build('VAE', { inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 5 });
    const bytes = edited(await modelToSafetensors(model), (_, metadata) => {
      for (const key of Object.keys(metadata)) delete metadata[key];
    });
    await expect(modelFromSafetensors(bytes)).rejects.toThrow(/names no model/);
    const loaded = await modelFromSafetensors(bytes, {
      description: { className: 'VAE', config: model.config },
    });
    models.push(loaded);
    expect(await values(loaded)).toEqual(await values(model));
  });

  describe('refuses a file that does not match', () => {
    const make = async () => {
      const model = build('VAE', { inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 6 });
      return { model, bytes: await modelToSafetensors(model) };
    };
    const refused = async (bytes: Uint8Array, pattern: RegExp, options = {}) => {
      const before = tf.memory().numTensors;
      await expect(modelFromSafetensors(bytes, { where: 'm.safetensors', ...options })).rejects.toThrow(
        pattern,
      );
      expect(tf.memory().numTensors).toBe(before);
    };

    it('names missing, unexpected and mis-shaped tensors', async () => {
      const { bytes } = await make();
      const changed = edited(bytes, (tensors) => {
        tensors.delete('encoder.hidden.0.bias');
        tensors.delete('decoder.logits.weight');
        tensors.set('decoder.extra.weight', float32ToTensor(new Float32Array(6), [2, 3], 'float32'));
        tensors.set('decoder.hidden.0.weight', float32ToTensor(new Float32Array(6), [2, 3], 'float32'));
      });
      await refused(
        changed,
        /missing: encoder\.hidden\.0\.bias, decoder\.logits\.weight; unexpected: decoder\.extra\.weight; mis-shaped: decoder\.hidden\.0\.weight \[2,3\] \(expected \[3,2\]\)/,
      );
    });

    it('names tensors of another dtype', async () => {
      const { bytes } = await make();
      const changed = edited(bytes, (tensors) => {
        const t = tensors.get('encoder.hidden.0.bias') as SafetensorsTensor;
        tensors.set('encoder.hidden.0.bias', { ...t, dtype: 'I32' });
      });
      await refused(changed, /encoder\.hidden\.0\.bias \(I32\) is not float32, float16 or bfloat16/);
    });

    it('names a tensor holding NaN', async () => {
      const { bytes } = await make();
      const changed = edited(bytes, (tensors) => {
        const t = tensors.get('decoder.logits.bias') as SafetensorsTensor;
        const values = tensorToFloat32(t);
        values[2] = Number.NaN;
        tensors.set('decoder.logits.bias', float32ToTensor(values, t.shape, 'float32'));
      });
      await refused(changed, /'decoder\.logits\.bias' holds a non-finite value/);
    });

    it('refuses changed bytes by their checksum', async () => {
      const { bytes } = await make();
      const changed = bytes.slice();
      changed[changed.length - 1] ^= 1;
      await refused(changed, /SHA-256/);
    });

    it('refuses a config from another model, an unknown class and a config that asks for a huge model', async () => {
      const { model, bytes } = await make();
      await refused(bytes, /describe different models \(config latentDim\)/, {
        description: { className: 'VAE', config: { ...(model.config as object), latentDim: 3 } },
      });
      const unknown = edited(bytes, (_, metadata) => {
        metadata['vae.className'] = 'constructor';
      });
      await refused(unknown, /unknown model class 'constructor'/);
      const huge = edited(bytes, (_, metadata) => {
        metadata['vae.config'] = JSON.stringify({ ...(model.config as object), latentDim: 1e9 });
      });
      await refused(huge, /at least 3,000,000,012 weights/);
      const invalid = edited(bytes, (_, metadata) => {
        metadata['vae.config'] = JSON.stringify({ ...(model.config as object), likelihood: 'poisson' });
      });
      await refused(invalid, /config is not valid .*likelihood/);
      const newer = edited(bytes, (_, metadata) => {
        metadata['vae.formatVersion'] = '99';
      });
      await refused(newer, /newer than this @vae\/models supports/);
    });

    it('refuses a config with a user-supplied tfjs network', async () => {
      const { model, bytes } = await make();
      const custom = edited(bytes, (_, metadata) => {
        metadata['vae.config'] = JSON.stringify({
          ...(model.config as object),
          layers: { encoder: { className: 'Sequential', config: {} } },
        });
      });
      await refused(custom, /no PyTorch counterpart/);
    });
  });

  it('loads as a class and its subclasses, refusing another class before building it', async () => {
    const beta = build('BetaVAE', { inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 8 });
    const bytes = await modelToSafetensors(beta);
    const asVae: VAE = await modelFromSafetensors(bytes, { as: VAE });
    models.push(asVae);
    expect(asVae.className).toBe('BetaVAE');
    const before = tf.memory().numTensors;
    await expect(modelFromSafetensors(bytes, { as: MODEL_REGISTRY.ConditionalVAE })).rejects.toThrow(
      /holds a BetaVAE, not a ConditionalVAE/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the VAE it loads usable (encode, decode)', async () => {
    const model = build('VAE', { inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 7 });
    const loaded = await modelFromSafetensors(await modelToSafetensors(model), { as: VAE });
    models.push(loaded);
    const x = tf.tensor2d([[0, 1, 0.5, 0.25]]);
    const means = tf.tidy(() => [loaded, model as VAE].map((m) => Array.from(m.encode(x).mean.dataSync())));
    expect(means[0]).toEqual(means[1]);
    x.dispose();
  });
});
