import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, Dense, fusedDense } from './dense';
import { expectClose, expectNoLeaks, maxAbsDifference, numericGradient } from './testing';

/** The same layer written with plain ops, differentiated automatically by tfjs. */
function reference(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: string): tf.Tensor {
  const a = tf.add(tf.matMul(x, w), b);
  if (activation === 'relu') return tf.relu(a);
  if (activation === 'sigmoid') return tf.sigmoid(a);
  if (activation === 'tanh') return tf.tanh(a);
  return a;
}

describe('Dense', () => {
  it('initialises like PyTorch nn.Linear: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), reproducibly', async () => {
    const a = new Dense(100, 50, { seed: 5 });
    const b = new Dense(100, 50, { seed: 5 });
    const w = await a.kernel.data();
    expect(maxAbsDifference(w, await b.kernel.data())).toBe(0);
    const max = Array.from(w).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(max).toBeLessThanOrEqual(0.1);
    expect(max).toBeGreaterThan(0.09);
    a.dispose();
    b.dispose();
  });

  for (const activation of ACTIVATIONS) {
    it(`${activation}: forward and hand-written gradients equal tfjs autodiff and central differences`, async () => {
      const layer = new Dense(4, 3, { activation, seed: 11 });
      const x = tf.tensor2d([
        [0.5, -1, 2, 0.1],
        [-0.3, 0.8, -1.5, 1],
      ]);
      const upstream = tf.tensor2d([
        [1, -2, 0.5],
        [0.3, 1, -1],
      ]);
      const loss = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor, custom: boolean) => {
        const y = custom ? layer.apply(input) : reference(input, w, b, activation);
        return tf.sum(tf.mul(y, upstream)) as tf.Scalar;
      };
      expect(
        maxAbsDifference(
          await layer.apply(x).data(),
          await reference(x, layer.kernel, layer.bias, activation).data(),
        ),
      ).toBeLessThan(1e-5);
      const custom = tf.variableGrads(() => loss(x, layer.kernel, layer.bias, true));
      const auto = tf.variableGrads(() => loss(x, layer.kernel, layer.bias, false));
      for (const name of [layer.kernel.name, layer.bias.name]) {
        expect(maxAbsDifference(await custom.grads[name].data(), await auto.grads[name].data())).toBeLessThan(
          1e-5,
        );
      }
      const dxCustom = await tf
        .grad((input: tf.Tensor) => loss(input, layer.kernel, layer.bias, true))(x)
        .data();
      const dxNumeric = await numericGradient(
        (input) => loss(input, layer.kernel, layer.bias, false),
        x,
        1e-2,
      );
      expect(maxAbsDifference(dxCustom, dxNumeric)).toBeLessThan(activation === 'relu' ? 5e-2 : 5e-3);
      const dwNumeric = await numericGradient((w) => loss(x, w, layer.bias, false), layer.kernel, 1e-2);
      expect(maxAbsDifference(await custom.grads[layer.kernel.name].data(), dwNumeric)).toBeLessThan(
        activation === 'relu' ? 5e-2 : 5e-3,
      );
      layer.dispose();
    });
  }

  it('with inputGradient false gives the same weight gradients and no input gradient path', async () => {
    const layer = new Dense(5, 2, { activation: 'relu', seed: 3 });
    const x = tf.randomNormal([3, 5], 0, 1, 'float32', 9);
    const a = tf.variableGrads(() => tf.sum(layer.apply(x)) as tf.Scalar);
    const b = tf.variableGrads(() => tf.sum(layer.apply(x, { inputGradient: false })) as tf.Scalar);
    for (const name of Object.keys(a.grads)) {
      expect(maxAbsDifference(await a.grads[name].data(), await b.grads[name].data())).toBeLessThan(1e-6);
    }
    layer.dispose();
  });

  it('leaks no tensors in forward or backward passes', async () => {
    const layer = new Dense(6, 4, { activation: 'sigmoid', seed: 1 });
    const x = tf.ones([2, 6]);
    await expectNoLeaks(() => tf.dispose(layer.apply(x)));
    await expectNoLeaks(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(layer.apply(x, { inputGradient: false })) as tf.Scalar,
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    layer.dispose();
  });

  it('names the problem on bad input', () => {
    expect(() => new Dense(0, 3)).toThrow(/positive integer/);
    expect(() => new Dense(3, 3, { activation: 'gelu' as never })).toThrow(/unknown activation/);
    const layer = new Dense(3, 2);
    expect(() => layer.apply(tf.zeros([2, 4]))).toThrow(/expected input of shape \[batch, 3\]/);
    layer.dispose();
  });
});

describe('fusedDense', () => {
  const x = tf.tensor2d([
    [0.5, -1, 2],
    [-0.3, 0.8, -1.5],
  ]);
  const kernel = tf.tensor2d([
    [0.2, -0.4],
    [0.7, 0.1],
    [-0.3, 0.5],
  ]);
  const bias = tf.tensor1d([0.1, -0.2]);

  it('reads integer inputs (one-hot codes) as floats, as tfjs matMul does; refuses integer weights, leak-free', async () => {
    const ints = tf.tensor2d([1, 0, 2, 0, 1, 0], [2, 3], 'int32');
    const floats = tf.cast(ints, 'float32') as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const y = fusedDense(ints, kernel, bias, { activation: 'relu' });
    const want = fusedDense(floats, kernel, bias, { activation: 'relu' });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
    expect(() => fusedDense(x, tf.cast(kernel, 'int32'), bias)).toThrow(/kernel must be float32, got int32/);
    tf.dispose([ints, floats, y, want]);
  });

  it('with a transposed kernel computes x W^T + b, with gradients equal to autodiff (no bias too)', async () => {
    const h = tf.tensor2d([
      [0.3, -0.6],
      [1.1, 0.4],
    ]);
    const b3 = tf.tensor1d([0.05, -0.1, 0.2]);
    const custom = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.square(fusedDense(input as tf.Tensor2D, w, b, { activation: 'sigmoid', transposeKernel: true })),
      ) as tf.Scalar;
    const plain = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.sigmoid(tf.add(tf.matMul(input, w, false, true), b)))) as tf.Scalar;
    const a = tf.grads(custom)([h, kernel, b3]);
    const e = tf.grads(plain)([h, kernel, b3]);
    for (let i = 0; i < 3; i++) await expectClose(a[i], await e[i].data());
    const noBias = fusedDense(x, kernel, null, { activation: 'relu' });
    await expectClose(noBias, await tf.relu(tf.matMul(x, kernel)).data());
    const [gx, gw] = tf.grads(
      (input: tf.Tensor, w: tf.Tensor) =>
        tf.sum(fusedDense(input as tf.Tensor2D, w, null, { activation: 'tanh' })) as tf.Scalar,
    )([x, kernel]);
    const [ex, ew] = tf.grads(
      (input: tf.Tensor, w: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(input, w))) as tf.Scalar,
    )([x, kernel]);
    await expectClose(gx, await ex.data());
    await expectClose(gw, await ew.data());
  });

  it('keeps the data input alive for the backward pass when it is an intermediate (inputGradient false)', async () => {
    const w = tf.variable(kernel, true, 'vae-test/fused-kernel');
    const { grads } = tf.variableGrads(() => {
      const intermediate = tf.mul(x, 2) as tf.Tensor2D; // disposed by tfjs after the forward pass
      return tf.sum(fusedDense(intermediate, w, bias, { inputGradient: false })) as tf.Scalar;
    }, [w]);
    await expectClose(grads[w.name], await tf.matMul(tf.transpose(tf.mul(x, 2)), tf.ones([2, 2])).data());
    w.dispose();
  });

  it('leaks no tensors and names the argument on bad input', async () => {
    const ones = tf.ones([2, 2]);
    await expectNoLeaks(() => tf.dispose(fusedDense(x, kernel, bias, { activation: 'tanh' })));
    await expectNoLeaks(() =>
      tf.dispose(
        tf.grads(
          (input: tf.Tensor, w: tf.Tensor) =>
            tf.sum(fusedDense(input as tf.Tensor2D, w, null, { transposeKernel: true })) as tf.Scalar,
        )([ones, kernel]),
      ),
    );
    ones.dispose();
    expect(() => fusedDense(x, tf.zeros([2, 2]), null)).toThrow(
      /x must have shape \[batch, 2\] to match the kernel/,
    );
    expect(() => fusedDense(x, kernel, tf.zeros([3]))).toThrow(/bias must have shape \[2\], got \[3\]/);
    expect(() => fusedDense(x, tf.zeros([3]), null)).toThrow(/kernel must have shape \[inputSize, units\]/);
    expect(() => fusedDense(x, kernel, null, { activation: 'gelu' as never })).toThrow(/unknown activation/);
  });
});
