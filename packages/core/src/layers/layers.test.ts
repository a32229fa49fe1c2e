import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { checkGradients, checkVariableGradients, expectClose, expectNoLeaks } from '../testing';
import { compareWithTfjsDense, roundTrip, variables } from './helpers.test-utils';
import {
  convBlock,
  DenseLayer,
  GaussianHeadLayer,
  GaussianNoiseLayer,
  MaskingNoiseLayer,
  mlpBlock,
  SamplingLayer,
  stackLayers,
  TiedDenseLayer,
} from './index';

const x = tf.tensor2d([
  [0.5, -1, 0.2, 0.9],
  [-0.3, 0.8, -0.6, 0.1],
]);

describe('DenseLayer', () => {
  it('equals tfjs dense (forward and autodiff gradients) with the same weights', async () => {
    // Every activation is compared in layers.node.test.ts; fusedDense itself in dense.test.ts on every backend.
    await compareWithTfjsDense('tanh');
  });

  it('rejects bad arguments and inputs that are not rows', () => {
    expect(() => new DenseLayer({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => new DenseLayer({ units: 2, activation: 'gelu' as never })).toThrow(
      /unknown activation 'gelu'/,
    );
    expect(() => new DenseLayer({ units: 2 }).apply(tf.zeros([2, 3, 4]))).toThrow(
      /expected inputs of shape \[batch, features\]/,
    );
  });
});

describe('TiedDenseLayer', () => {
  it('computes x W^T + b with the source kernel and trains it through both uses', async () => {
    const encoder = new DenseLayer({ units: 3, activation: 'sigmoid', seed: 2 });
    const decoder = new TiedDenseLayer({ source: encoder, seed: 4 });
    const h = encoder.apply(x) as tf.Tensor;
    const y = decoder.apply(h) as tf.Tensor;
    expect(y.shape).toEqual([2, 4]);
    expect(decoder.trainableWeights.map((w) => w.shape)).toEqual([[4]]);
    const [w] = encoder.getWeights();
    const [b] = decoder.getWeights();
    await expectClose(y, await tf.add(tf.matMul(h, w, false, true), b).data());
    await checkVariableGradients(
      () => tf.sum(tf.square(decoder.apply(encoder.apply(x)) as tf.Tensor)) as tf.Scalar,
      [...variables(encoder), ...variables(decoder)],
    );
    await checkGradients((input) => tf.sum(tf.square(decoder.apply(input) as tf.Tensor)) as tf.Scalar, [h]);
  });

  it('finds its source by name upstream, and explains when it cannot', () => {
    const model = tfl.sequential({
      layers: [
        new DenseLayer({ units: 3, inputShape: [4], name: 'enc' }),
        new TiedDenseLayer({ source: 'enc', units: 4, activation: 'sigmoid' }),
      ],
    });
    expect((model.predict(x) as tf.Tensor).shape).toEqual([2, 4]);
    const orphan = new TiedDenseLayer({ source: 'missing', units: 4 });
    expect(() => orphan.apply(tf.zeros([2, 3]))).toThrow(/source layer 'missing' was not found upstream/);
    expect(() => new TiedDenseLayer({ source: 'enc' }).apply(tfl.input({ shape: [3] }))).toThrow(
      /pass units/,
    );
    const built = new DenseLayer({ units: 3 });
    built.apply(x);
    expect(() => new TiedDenseLayer({ source: built }).apply(tf.zeros([2, 5]))).toThrow(
      /its input has 5 features but the source .* has 3 units/,
    );
  });
});

describe('GaussianHeadLayer and SamplingLayer', () => {
  it('the head outputs mean and log-variance from one affine map', async () => {
    const head = new GaussianHeadLayer({ units: 2, seed: 3 });
    const [mean, logVar] = head.apply(x) as tf.Tensor[];
    expect(mean.shape).toEqual([2, 2]);
    const [w, b] = head.getWeights();
    const both = tf.add(tf.matMul(x, w), b);
    await expectClose(mean, await tf.slice(both, [0, 0], [2, 2]).data());
    await expectClose(logVar, await tf.slice(both, [0, 2], [2, 2]).data());
    await checkVariableGradients(() => {
      const [m, l] = head.apply(x) as tf.Tensor[];
      return tf.sum(tf.add(tf.square(m), tf.exp(l))) as tf.Scalar;
    }, variables(head));
    expect(() => new GaussianHeadLayer({ units: 0 })).toThrow(/units must be a positive integer/);
  });

  it('sampling draws mean + exp(logVar / 2) eps, reproducibly from its seed stream', async () => {
    const layer = new SamplingLayer({ seed: 5 });
    const mean = tf.fill([4000, 2], 1.5);
    const logVar = tf.tensor2d(Array.from({ length: 4000 }, () => [Math.log(4), Math.log(0.25)]));
    const z = layer.apply([mean, logVar]) as tf.Tensor;
    const again = layer.apply([mean, logVar]) as tf.Tensor;
    layer.reseed();
    const repeated = layer.apply([mean, logVar]) as tf.Tensor;
    await expectClose(repeated, await z.data(), { rtol: 0, atol: 0 });
    expect((await tf.sum(tf.abs(tf.sub(z, again))).data())[0]).toBeGreaterThan(1);
    const { mean: m, variance } = tf.moments(z, 0);
    await expectClose(m, [1.5, 1.5], { atol: 0.1, rtol: 0 });
    await expectClose(variance, [4, 0.25], { rtol: 0.1, atol: 0 });
    const meanAtInference = new SamplingLayer({ inference: 'mean', seed: 1 });
    await expectClose(meanAtInference.apply([mean, logVar]) as tf.Tensor, await mean.data());
    const trained = meanAtInference.apply([mean, logVar], { training: true }) as tf.Tensor;
    expect((await tf.sum(tf.abs(tf.sub(trained, mean))).data())[0]).toBeGreaterThan(1);
  });

  it('sampling passes the gradient check with respect to mean and logVar', async () => {
    const layer = new SamplingLayer({ seed: 9 });
    await checkGradients(
      (m, l) => {
        layer.reseed();
        return tf.sum(tf.square(layer.apply([m, l]) as tf.Tensor)) as tf.Scalar;
      },
      [tf.tensor2d([[0.3, -0.2]]), tf.tensor2d([[0.1, -0.5]])],
    );
  });

  it('sampling rejects bad arguments', () => {
    expect(() => new SamplingLayer({ temperature: -1 })).toThrow(/temperature must be a finite number >= 0/);
    expect(() => new SamplingLayer({ inference: 'mode' as never })).toThrow(
      /inference must be 'sample' or 'mean'/,
    );
    expect(() => new SamplingLayer({ seed: Number.NaN })).toThrow(/seed must be a finite number/);
    expect(() => new SamplingLayer().apply([tf.zeros([2, 2]), tf.zeros([2, 3])])).toThrow(
      /mean has shape \[2,2\] but logVar has shape \[2,3\]/,
    );
  });
});

describe('noise layers', () => {
  it('masking noise zeroes a fraction q in training only, and passes the gradient check', async () => {
    const layer = new MaskingNoiseLayer({ rate: 0.3, seed: 4 });
    const ones = tf.ones([200, 50]);
    const kept = tf.mean(layer.apply(ones, { training: true }) as tf.Tensor);
    await expectClose(kept, 0.7, { atol: 0.02, rtol: 0 });
    await expectClose(layer.apply(ones) as tf.Tensor, await ones.data(), { rtol: 0, atol: 0 });
    await checkGradients(
      (input) => {
        layer.reseed();
        return tf.sum(tf.square(layer.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar;
      },
      [x],
    );
    for (const rate of [-0.1, 1, Number.NaN]) {
      expect(() => new MaskingNoiseLayer({ rate })).toThrow(
        /rate \(the probability q of zeroing a value\) must lie in \[0, 1\)/,
      );
    }
  });

  it('Gaussian noise adds N(0, stddev^2) in training only', async () => {
    const layer = new GaussianNoiseLayer({ stddev: 0.5, seed: 6 });
    const zeros = tf.zeros([4000]);
    const { mean, variance } = tf.moments(layer.apply(zeros, { training: true }) as tf.Tensor);
    await expectClose(mean, 0, { atol: 0.05, rtol: 0 });
    await expectClose(variance, 0.25, { rtol: 0.1, atol: 0 });
    await expectClose(layer.apply(x) as tf.Tensor, await x.data(), { rtol: 0, atol: 0 });
    expect(() => new GaussianNoiseLayer({ stddev: -1 })).toThrow(/stddev must be a finite number >= 0/);
  });
});

/** A small VAE-shaped model using every custom layer, with a tied decoder. */
function buildModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4] });
  const corrupted = new MaskingNoiseLayer({ rate: 0.25, seed: 1, name: 'masking' }).apply(input);
  const noisy = new GaussianNoiseLayer({ stddev: 0.1, seed: 2, name: 'noise' }).apply(corrupted);
  const encoder = new DenseLayer({ units: 3, activation: 'sigmoid', seed: 3, name: 'encoder' });
  const hidden = encoder.apply(noisy) as tfl.SymbolicTensor;
  const [mean, logVar] = new GaussianHeadLayer({ units: 2, seed: 5, name: 'head' }).apply(
    hidden,
  ) as tfl.SymbolicTensor[];
  const z = new SamplingLayer({ seed: 7, name: 'sampling' }).apply([mean, logVar]) as tfl.SymbolicTensor;
  const decoded = stackLayers(mlpBlock({ units: [3], activation: 'tanh', seed: 9, name: 'decoder' }), z);
  const output = new TiedDenseLayer({ source: encoder, name: 'tied', seed: 11 }).apply(
    decoded,
  ) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [output, mean, logVar] });
}

describe('a model built from the custom layers', () => {
  it('passes the gradient check with respect to its input and all its weights', async () => {
    const model = buildModel();
    const sampling = model.getLayer('sampling') as SamplingLayer;
    const upstream = tf.tensor2d([
      [1, -0.5, 0.3, 2],
      [-1, 0.2, 0.7, -0.4],
    ]);
    const loss = (input: tf.Tensor) => {
      sampling.reseed();
      const [output, mean, logVar] = model.apply(input, { training: false }) as tf.Tensor[];
      return tf.addN([
        tf.sum(tf.mul(output, upstream)),
        tf.sum(tf.square(mean)),
        tf.sum(logVar),
      ]) as tf.Scalar;
    };
    expect(model.trainableWeights.length).toBe(7); // encoder 2, head 2, decoder 2, tied bias 1
    await checkGradients(loss, [x]);
    await checkVariableGradients(() => loss(x), variables(model));
  });

  it('saves to a tfjs IO handler and loads with tfl.loadLayersModel, giving identical outputs', async () => {
    const model = buildModel();
    const { loaded, artifacts } = await roundTrip(model);
    const topology = JSON.stringify(artifacts.modelTopology);
    for (const name of [
      'VaeMaskingNoise',
      'VaeGaussianNoise',
      'VaeDense',
      'VaeGaussianHead',
      'VaeSampling',
      'VaeTiedDense',
    ]) {
      expect(topology).toContain(`"class_name":"${name}"`);
    }
    expect(loaded.trainableWeights.length).toBe(model.trainableWeights.length);
    for (const m of [model, loaded]) (m.getLayer('sampling') as SamplingLayer).reseed();
    const before = model.predict(x) as tf.Tensor[];
    const after = loaded.predict(x) as tf.Tensor[];
    for (let i = 0; i < 3; i++) await expectClose(after[i], await before[i].data(), { rtol: 0, atol: 1e-6 });
  });
});

describe('blocks', () => {
  it('mlpBlock stacks DenseLayers with the given sizes, activations, names and seeds', () => {
    const layers = mlpBlock({
      units: [5, 3],
      activation: 'relu',
      outputActivation: 'sigmoid',
      inputShape: [4],
      name: 'e',
      seed: 1,
    });
    expect(layers.map((l) => [l.name, l.units, l.activation])).toEqual([
      ['e_dense0', 5, 'relu'],
      ['e_dense1', 3, 'sigmoid'],
    ]);
    const model = tfl.sequential({ layers });
    expect((model.predict(x) as tf.Tensor).shape).toEqual([2, 3]);
    expect(() => mlpBlock({ units: [] })).toThrow(/units must be a non-empty array/);
    expect(() => mlpBlock({ units: [2], activation: 'swish' as never })).toThrow(
      /unknown activation 'swish'/,
    );
  });

  it('convBlock halves and doubles resolution by stride, without pooling or nearest-neighbour resizing', () => {
    const encoder = convBlock({ filters: [8, 16], inputShape: [28, 28, 1], name: 'c', seed: 1 });
    const decoder = convBlock({ filters: [8, 1], transposed: true, outputActivation: 'sigmoid', seed: 2 });
    const model = tfl.sequential({ layers: [...encoder, ...decoder] });
    expect(model.getLayer('c_conv1').outputShape).toEqual([null, 7, 7, 16]);
    expect(model.outputShape).toEqual([null, 28, 28, 1]);
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes).toEqual(['Conv2D', 'Conv2D', 'Conv2DTranspose', 'Conv2DTranspose']);
    // The ops with wrong gradients in tfjs 4.22 (recipes.md) never appear.
    expect(classes.some((c) => /Pool|UpSampling|Resiz/.test(c))).toBe(false);
    expect(() => convBlock({ filters: [0] })).toThrow(
      /filters must be a non-empty array of positive integers/,
    );
    expect(() => convBlock({ filters: [2], inputShape: [28, 28] })).toThrow(
      /inputShape must be \[height, width, channels\]/,
    );
  });

  const convTrainable = tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;

  it.runIf(convTrainable)(
    'convBlock passes the gradient check with respect to its input and weights',
    async () => {
      const model = tfl.sequential({
        layers: [
          ...convBlock({ filters: [2], kernelSize: 2, activation: 'tanh', inputShape: [4, 4, 1], seed: 3 }),
          ...convBlock({ filters: [1], kernelSize: 2, transposed: true, activation: 'tanh', seed: 4 }),
        ],
      });
      const input = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 5);
      const upstream = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 6);
      const loss = () => tf.sum(tf.mul(model.apply(input) as tf.Tensor, upstream)) as tf.Scalar;
      await checkGradients(
        (v) => tf.sum(tf.mul(model.apply(v) as tf.Tensor, upstream)) as tf.Scalar,
        [input],
      );
      await checkVariableGradients(loss, variables(model));
    },
  );

  it.runIf(!convTrainable)(
    'documents that this backend cannot train convolutions (no Conv2DBackpropFilter)',
    () => {
      expect(tf.getBackend()).toBe('wasm');
      const layer = convBlock({ filters: [1], kernelSize: 2 })[0];
      layer.apply(tf.zeros([1, 4, 4, 1]));
      expect(() =>
        tf.variableGrads(() => tf.sum(layer.apply(tf.ones([1, 4, 4, 1])) as tf.Tensor) as tf.Scalar),
      ).toThrow(/Conv2DBackpropFilter/);
    },
  );
});

describe('custom layers', () => {
  it('leak no tensors, forward or backward', async () => {
    const encoder = new DenseLayer({ units: 3, activation: 'sigmoid', seed: 1 });
    const tied = new TiedDenseLayer({ source: encoder, seed: 2 });
    const head = new GaussianHeadLayer({ units: 2, seed: 3 });
    const sampling = new SamplingLayer({ seed: 4 });
    const masking = new MaskingNoiseLayer({ rate: 0.5, seed: 5 });
    const noise = new GaussianNoiseLayer({ stddev: 0.1, seed: 6 });
    const forward = (input: tf.Tensor, training: boolean) =>
      tf.tidy(() => {
        const h = encoder.apply(noise.apply(masking.apply(input, { training }), { training })) as tf.Tensor;
        const [mean, logVar] = head.apply(h) as tf.Tensor[];
        const z = sampling.apply([mean, logVar], { training }) as tf.Tensor;
        return tf.add(tf.sum(tied.apply(h) as tf.Tensor), tf.sum(z)) as tf.Scalar;
      });
    forward(x, false).dispose(); // builds the weights
    for (const training of [false, true]) {
      await expectNoLeaks(() => tf.dispose(forward(x, training)));
      await expectNoLeaks(() => {
        const { value, grads } = tf.variableGrads(() => forward(x, training));
        tf.dispose([value, ...Object.values(grads)]);
      });
      await expectNoLeaks(() => tf.dispose(tf.grad((input: tf.Tensor) => forward(input, training))(x)));
    }
    for (const layer of [encoder, tied, head]) layer.dispose();
  });
});
