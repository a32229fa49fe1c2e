import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { conv2dFilterGradient, conv2dInputGradient, fusedConv2d } from './conv';
import { convBlock } from './layers/blocks';
import { ConvLayer, ConvTransposeLayer } from './layers/conv';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const wasm = () => tf.getBackend() === 'wasm';
const cases = [
  { size: 6, channels: 2, filters: 3, kernel: 4, stride: 2 },
  { size: 7, channels: 2, filters: 3, kernel: 3, stride: 2 },
  { size: 5, channels: 1, filters: 2, kernel: 3, stride: 1 },
  { size: 8, channels: 3, filters: 2, kernel: 5, stride: 2 },
];

describe('fusedConv2d', () => {
  for (const { size, channels, filters, kernel, stride } of cases) {
    const label = `${size}x${size}x${channels}, kernel ${kernel}, stride ${stride}`;
    it(`matches tf.conv2d and tf.conv2dTranspose forward (${label})`, async () => {
      const x = tf.randomNormal([2, size, size, channels], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([kernel, kernel, channels, filters], 0, 1, 'float32', 2) as tf.Tensor4D;
      const b = tf.randomNormal([filters], 0, 1, 'float32', 3);
      await expectClose(
        fusedConv2d(x, w, b, { strides: stride }),
        tf.add(tf.conv2d(x, w, stride, 'same'), b),
        {
          rtol: 1e-4,
          atol: 1e-4,
        },
      );
      const small = tf.randomNormal([2, size, size, filters], 0, 1, 'float32', 4) as tf.Tensor4D;
      const out = [2, size * stride, size * stride, channels] as [number, number, number, number];
      await expectClose(
        fusedConv2d(small, w, null, { strides: stride, transposed: true }),
        tf.conv2dTranspose(small, w, out, stride, 'same'),
        { rtol: 1e-4, atol: 1e-4 },
      );
    });

    it(`has tfjs' gradients where tfjs has them, and central differences everywhere (${label})`, async () => {
      const x = tf.randomNormal([2, size, size, channels], 0, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomNormal([kernel, kernel, channels, filters], 0, 0.5, 'float32', 6);
      const dy = tf.randomNormal(
        [2, Math.ceil(size / stride), Math.ceil(size / stride), filters],
        0,
        1,
        'float32',
        7,
      );
      if (!wasm()) {
        const ours = tf.grads(
          (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(fusedConv2d(a as tf.Tensor4D, b, null, { strides: stride }), dy)) as tf.Scalar,
        )([x, w]);
        const theirs = tf.grads(
          (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'), dy)) as tf.Scalar,
        )([x, w]);
        await expectClose(ours[0], theirs[0], { rtol: 1e-4, atol: 1e-4 });
        await expectClose(ours[1], theirs[1], { rtol: 1e-4, atol: 1e-4 });
        const out = [2, size * stride, size * stride, channels] as [number, number, number, number];
        const up = tf.randomNormal(out, 0, 1, 'float32', 8);
        const small = tf.randomNormal([2, size, size, filters], 0, 1, 'float32', 9) as tf.Tensor4D;
        const oursT = tf.grads(
          (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(fusedConv2d(a as tf.Tensor4D, b, null, { strides: stride, transposed: true }), up),
            ) as tf.Scalar,
        )([small, w]);
        const theirsT = tf.grads(
          (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, stride, 'same'), up),
            ) as tf.Scalar,
        )([small, w]);
        await expectClose(oursT[0], theirsT[0], { rtol: 1e-4, atol: 1e-4 });
        await expectClose(oursT[1], theirsT[1], { rtol: 1e-4, atol: 1e-4 });
      }
      // the same maths by central differences (small inputs), on every backend
      const xs = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 10) as tf.Tensor4D;
      const ws = tf.randomNormal([kernel, kernel, 1, 2], 0, 0.5, 'float32', 11);
      const bs = tf.tensor1d([0.1, -0.2]);
      await checkGradients(
        (a, b, c) =>
          tf.sum(
            tf.square(fusedConv2d(a as tf.Tensor4D, b, c, { strides: stride, activation: 'tanh' })),
          ) as tf.Scalar,
        [xs, ws, bs],
      );
      const wt = tf.randomNormal([kernel, kernel, 2, 1], 0, 0.5, 'float32', 12);
      await checkGradients(
        (a, b, c) =>
          tf.sum(
            tf.square(
              fusedConv2d(a as tf.Tensor4D, b, c, {
                strides: stride,
                transposed: true,
                activation: 'sigmoid',
              }),
            ),
          ) as tf.Scalar,
        [xs, wt, bs],
      );
    });
  }

  it('computes the filter and input gradients as standalone functions without leaks', async () => {
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 2, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    await expectNoLeaks(() =>
      tf.dispose([conv2dFilterGradient(x, dy, 4, 2), conv2dInputGradient(dy, w, [6, 6], 2)]),
    );
    expect(conv2dFilterGradient(x, dy, 4, 2).shape).toEqual([4, 4, 2, 3]);
    expect(conv2dInputGradient(dy, w, [6, 6], 2).shape).toEqual([2, 6, 6, 2]);
    expect(() => fusedConv2d(x, w, null, { transposed: true })).toThrow(
      /x must be \[batch, height, width, 3\]/,
    );
    expect(() => fusedConv2d(x, w, tf.zeros([2]))).toThrow(/bias must have shape \[3\]/);
    tf.dispose([x, dy, w]);
  });
});

describe('ConvLayer and ConvTransposeLayer', () => {
  it('downsample and upsample by the stride, train on every backend (wasm too), and serialize', async () => {
    const model = tfl.sequential({
      layers: [
        ...convBlock({
          filters: [4, 6],
          inputShape: [8, 8, 1],
          implementation: 'vae',
          inputGradient: false,
          seed: 1,
        }),
        ...convBlock({
          filters: [4, 1],
          transposed: true,
          outputActivation: 'sigmoid',
          implementation: 'vae',
          seed: 3,
        }),
      ],
    });
    expect(model.layers[0]).toBeInstanceOf(ConvLayer);
    expect(model.layers[2]).toBeInstanceOf(ConvTransposeLayer);
    expect(model.outputs[0].shape).toEqual([null, 8, 8, 1]);
    expect(model.layers[1].outputShape).toEqual([null, 2, 2, 6]);
    const x = tf.tidy(() => tf.step(tf.sub(tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 1), 0.5)));
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.adam(0.01);
    const loss = () => tf.tidy(() => tf.mean(tf.square(tf.sub(model.apply(x) as tf.Tensor, x))) as tf.Scalar);
    const before = (await loss().data())[0];
    for (let i = 0; i < 20; i++) optimizer.minimize(loss, false, variables);
    expect((await loss().data())[0]).toBeLessThan(before);
    const config = JSON.parse(JSON.stringify(model.getConfig()));
    const copy = tfl.Sequential.fromConfig(tfl.Sequential, config) as tfl.Sequential;
    expect(copy.layers.map((l) => l.getClassName())).toEqual([
      'VaeConv2D',
      'VaeConv2D',
      'VaeConv2DTranspose',
      'VaeConv2DTranspose',
    ]);
    expect(() => convBlock({ filters: [2], implementation: 'vae', activation: 'elu' })).toThrow(
      /implementation 'vae' supports/,
    );
    tf.dispose([x]);
    optimizer.dispose();
    model.dispose();
    copy.dispose();
  });
});
