import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { conv2dFilterGradient, conv2dInputGradient, fusedConv2d } from './conv';
import { interleavePhases } from './conv-interleave';
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

/** Top padding of a 'same' convolution as tfjs computes it. */
function sameBefore(size: number, kernel: number, stride: number): number {
  return Math.floor(Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0) / 2);
}

/**
 * dW and dx of a 'same' convolution by direct summation over their definitions (float64):
 * dW[i, j, c, f] = sum_{b, o, p} x[b, o s + i - top, p s + j - left, c] dy[b, o, p, f] (zero outside x), and
 * dx[b, h, w, c] = sum over (o, p, i, j, f) with o s + i - top = h, p s + j - left = w of dy[b, o, p, f] W[i, j, c, f].
 */
function directGradients(
  x: Float32Array,
  dy: Float32Array,
  w: Float32Array,
  [batch, size, channels]: number[],
  [kernel, stride, filters]: number[],
): { dw: Float64Array; dx: Float64Array } {
  const out = Math.ceil(size / stride);
  const top = sameBefore(size, kernel, stride);
  const dw = new Float64Array(kernel * kernel * channels * filters);
  const dx = new Float64Array(batch * size * size * channels);
  for (let b = 0; b < batch; b++)
    for (let o = 0; o < out; o++)
      for (let p = 0; p < out; p++)
        for (let i = 0; i < kernel; i++)
          for (let j = 0; j < kernel; j++) {
            const h = o * stride + i - top;
            const v = p * stride + j - top;
            if (h < 0 || h >= size || v < 0 || v >= size) continue;
            for (let c = 0; c < channels; c++)
              for (let f = 0; f < filters; f++) {
                const g = dy[((b * out + o) * out + p) * filters + f];
                const xi = ((b * size + h) * size + v) * channels + c;
                const wi = ((i * kernel + j) * channels + c) * filters + f;
                dw[wi] += x[xi] * g;
                dx[xi] += w[wi] * g;
              }
          }
  return { dw, dx };
}

describe('conv2dFilterGradient and conv2dInputGradient against a direct summation (every backend)', () => {
  // k^2 C <= F takes the patches-and-matMul path of the filter gradient; the others the dilated convolution
  const direct = [
    { size: 7, channels: 1, filters: 16, kernel: 4, stride: 2 },
    { size: 9, channels: 1, filters: 12, kernel: 3, stride: 3 },
    { size: 6, channels: 2, filters: 3, kernel: 4, stride: 2 },
    { size: 5, channels: 3, filters: 4, kernel: 3, stride: 1 },
    { size: 8, channels: 2, filters: 3, kernel: 5, stride: 2 },
    { size: 14, channels: 4, filters: 64, kernel: 4, stride: 2 },
  ];
  for (const { size, channels, filters, kernel, stride } of direct) {
    it(`${size}x${size}x${channels} -> ${filters} filters, kernel ${kernel}, stride ${stride}`, async () => {
      const out = Math.ceil(size / stride);
      const x = tf.randomNormal([2, size, size, channels], 0, 1, 'float32', 21) as tf.Tensor4D;
      const dy = tf.randomNormal([2, out, out, filters], 0, 1, 'float32', 22) as tf.Tensor4D;
      const w = tf.randomNormal([kernel, kernel, channels, filters], 0, 1, 'float32', 23) as tf.Tensor4D;
      const expected = directGradients(
        (await x.data()) as Float32Array,
        (await dy.data()) as Float32Array,
        (await w.data()) as Float32Array,
        [2, size, channels],
        [kernel, stride, filters],
      );
      const [dw, dx] = await expectNoLeaks(
        () => [conv2dFilterGradient(x, dy, kernel, stride), conv2dInputGradient(dy, w, [size, size], stride)],
        2,
      );
      expect(dw.shape).toEqual([kernel, kernel, channels, filters]);
      expect(dx.shape).toEqual([2, size, size, channels]);
      await expectClose(dw, expected.dw, { rtol: 1e-4, atol: 1e-3 });
      await expectClose(dx, expected.dx, { rtol: 1e-4, atol: 1e-3 });
      // the transposed convolution's forward pass (the same map as dx where H = Ho s), bias and ReLU fused
      const bias = tf.randomNormal([channels], 0, 1, 'float32', 24);
      if (size % stride === 0) {
        await expectClose(
          fusedConv2d(dy, w, bias, { strides: stride, transposed: true, activation: 'relu' }),
          tf.relu(tf.add(tf.tensor(Float32Array.from(expected.dx), [2, size, size, channels]), bias)),
          { rtol: 1e-4, atol: 1e-3 },
        );
      }
      tf.dispose([x, dy, w, dw, dx, bias]);
    });
  }
});

describe('interleavePhases', () => {
  it('interleaves the phases into space and crops, equal to reshape-transpose-slice, with the adjoint gradient', async () => {
    const [batch, rows, cols, s, channels] = [2, 3, 4, 2, 3];
    const x = tf.randomNormal([batch, rows, cols, s * s * channels], 0, 1, 'float32', 31) as tf.Tensor4D;
    const crop = { top: 1, left: 0, height: 4, width: 7 };
    const y = await expectNoLeaks(() => interleavePhases(x, s, crop), 1);
    expect(y.shape).toEqual([batch, 4, 7, channels]);
    const spread = tf.reshape(
      tf.transpose(tf.reshape(x, [batch, rows, cols, s, s, channels]), [0, 1, 3, 2, 4, 5]),
      [batch, rows * s, cols * s, channels],
    );
    await expectClose(y, tf.slice(spread, [0, 1, 0, 0], [batch, 4, 7, channels]), { atol: 0 });
    // gradient: the adjoint map, checked through <interleave(x), r> = <x, interleave^T(r)>
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', 32);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(interleavePhases(a as tf.Tensor4D, s, crop), r)))(x);
    const expected = tf.grad((a: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.slice(
            tf.reshape(tf.transpose(tf.reshape(a, [batch, rows, cols, s, s, channels]), [0, 1, 3, 2, 4, 5]), [
              batch,
              rows * s,
              cols * s,
              channels,
            ]),
            [0, 1, 0, 0],
            [batch, 4, 7, channels],
          ),
          r,
        ),
      ),
    )(x);
    await expectClose(g, expected, { atol: 1e-6 });
    expect(() => interleavePhases(x, s, { top: 3, left: 0, height: 4, width: 7 })).toThrow(
      /cannot give the window/,
    );
    tf.dispose([x, y, spread, r, g, expected]);
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

  it('skips the input gradient for a call with inputGradient: false (data input), and keeps it otherwise', async () => {
    const layer = new ConvLayer({ filters: 3, kernelSize: 4, strides: 2, seed: 4 });
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 41) as tf.Tensor4D;
    const r = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 42);
    layer.apply(x); // builds the layer
    const loss = (kwargs: { inputGradient?: boolean }) => (a: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(a, kwargs) as tf.Tensor, r));
    const dx = tf.grad(loss({}))(x);
    await expectClose(
      dx,
      conv2dInputGradient(r as tf.Tensor4D, layer.kernel?.read() as tf.Tensor4D, [6, 6], 2),
      {
        rtol: 1e-4,
        atol: 1e-4,
      },
    );
    // the data-input call has no path from x to the loss
    expect(() => tf.grad(loss({ inputGradient: false }))(x)).toThrow();
    // the kernel still gets its gradient
    const kernel = layer.kernel?.read() as tf.Variable;
    const { grads } = tf.variableGrads(() => loss({ inputGradient: false })(x) as tf.Scalar, [kernel]);
    expect(grads[kernel.name].shape).toEqual([4, 4, 2, 3]);
    tf.dispose([x, r, dx, grads[kernel.name]]);
    layer.dispose();
  });
});
