import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type MatMulLayout, matMul2d, matMulKernelAvailable } from './matmul';
import { expectNoLeaks } from './testing';

// Deterministic pseudo-random values in [-0.5, 0.5) built in JS.
function values(count: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/**
 * activation(op(A) op(B) + bias) in double precision, and per output the sum of |a b| terms (+ |bias|), which bounds
 * float32 summation error: |error| <= (k + 2) u sum|a b| with u = 2^-24 for any order of k additions.
 */
function reference(
  layout: MatMulLayout,
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  [m, k, n]: number[],
  activation: string,
) {
  const A = (i: number, kk: number) => (layout === 'tn' ? a[kk * m + i] : a[i * k + kk]);
  const B = (kk: number, j: number) => (layout === 'nt' ? b[j * k + kk] : b[kk * n + j]);
  const out: number[] = [];
  const bound: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      let abs = bias ? Math.abs(bias[j]) : 0;
      for (let kk = 0; kk < k; kk++) {
        sum += A(i, kk) * B(kk, j);
        abs += Math.abs(A(i, kk) * B(kk, j));
      }
      out.push(
        activation === 'relu' ? Math.max(sum, 0) : activation === 'sigmoid' ? 1 / (1 + Math.exp(-sum)) : sum,
      );
      bound.push((k + 2) * 2 ** -24 * abs + 1e-7);
    }
  }
  return { out, bound };
}

describe("matMul2d (the dense layers' products; a SIMD kernel on wasm)", () => {
  it('runs as the kernel on the wasm backend only', () => {
    expect(matMulKernelAvailable()).toBe(tf.getBackend() === 'wasm');
  });

  // Sizes around the kernel's tiles (4 rows x 8 columns, 4 x 4, single columns; 4 x 2 dot products, k % 4 tails).
  const shapes = [
    [1, 1, 1],
    [5, 3, 7],
    [4, 8, 8],
    [13, 17, 21],
    [9, 40, 20],
    [6, 2, 13],
  ];
  for (const layout of ['nn', 'nt', 'tn'] as const) {
    for (const [m, k, n] of shapes) {
      for (const [activation, withBias] of [
        ['linear', false],
        ['relu', true],
        ['sigmoid', true],
      ] as const) {
        it(`${layout} [${m}, ${k}] x [${k}, ${n}], ${activation}${withBias ? ' + bias' : ''}: within float32 summation error, no leaks`, async () => {
          const av = values(m * k, 3 + m + k);
          const bv = values(k * n, 5 + n);
          const biasValues = withBias ? values(n, 7) : null;
          const at = tf.tensor2d(av, layout === 'tn' ? [k, m] : [m, k]);
          const bt = tf.tensor2d(bv, layout === 'nt' ? [n, k] : [k, n]);
          const bias = biasValues ? tf.tensor1d(biasValues) : undefined;
          const y = await expectNoLeaks(() => matMul2d(at, bt, { layout, bias, activation }), 1);
          expect(y.shape).toEqual([m, n]);
          const got = await y.data();
          const { out, bound } = reference(layout, av, bv, biasValues, [m, k, n], activation);
          const tolerance = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' ? 1 : 100; // GPUs: half floats
          const beyond = out.filter((v, i) => !(Math.abs(got[i] - v) <= tolerance * bound[i]));
          expect(beyond).toEqual([]);
          tf.dispose([at, bt, bias, y].filter((t) => t !== undefined));
        });
      }
    }
  }

  it("ref-vae's shapes ([128, 784] x [784, 400] and its gradients) agree with tfjs's matMul", async () => {
    const x = tf.tensor2d(values(128 * 784, 11), [128, 784]);
    const w = tf.tensor2d(values(784 * 400, 13), [784, 400]);
    const g = tf.tensor2d(values(128 * 400, 17), [128, 400]);
    const pairs: Array<[tf.Tensor, tf.Tensor]> = await expectNoLeaks(
      () => [
        [matMul2d(x, w, { activation: 'relu' }), tf.tidy(() => tf.relu(tf.matMul(x, w)))],
        [matMul2d(g, w, { layout: 'nt' }), tf.matMul(g, w, false, true)],
        [matMul2d(x, g, { layout: 'tn' }), tf.matMul(x, g, true, false)],
      ],
      6,
    );
    for (const [ours, theirs] of pairs) {
      expect(ours.shape).toEqual(theirs.shape);
      const a = await ours.data();
      const b = await theirs.data();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' ? 2e-5 : 2e-2);
      tf.dispose([ours, theirs]);
    }
    tf.dispose([x, w, g]);
  });

  for (const layout of ['nn', 'nt', 'tn'] as const) {
    it(`${layout} with bias and ReLU: gradients (and a second-order one) equal autodiff of tfjs's ops`, async () => {
      const [m, k, n] = [5, 6, 7];
      const a = tf.tensor2d(values(m * k, 21), layout === 'tn' ? [k, m] : [m, k]);
      const b = tf.tensor2d(values(k * n, 23), layout === 'nt' ? [n, k] : [k, n]);
      const bias = tf.tensor1d(values(n, 29));
      const w = tf.tensor2d(values(m * n, 31), [m, n]);
      const plain = (x: tf.Tensor2D, y: tf.Tensor2D, c: tf.Tensor1D) =>
        tf.relu(tf.add(tf.matMul(x, y, layout === 'tn', layout === 'nt'), c));
      const ours = (x: tf.Tensor2D, y: tf.Tensor2D, c: tf.Tensor1D) =>
        matMul2d(x, y, { layout, bias: c, activation: 'relu' });
      const loss = (f: typeof plain) => (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D, c as tf.Tensor1D), w)) as tf.Scalar;
      const got = await expectNoLeaks(() => tf.grads(loss(ours))([a, b, bias]), 3);
      const want = tf.grads(loss(plain))([a, b, bias]);
      for (let i = 0; i < 3; i++) {
        const d = await tf.max(tf.abs(tf.sub(got[i], want[i]))).data();
        expect(d[0]).toBeLessThan(tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' ? 1e-6 : 1e-2);
      }
      // d/da of sum(dL/db * v): differentiates the gradient's own products
      const v = tf.randomUniform(b.shape, -1, 1, 'float32', 3);
      const second = (f: typeof plain) => (x: tf.Tensor) =>
        tf.sum(tf.mul(tf.grad((y: tf.Tensor) => loss(f)(x, y, bias))(b), v)) as tf.Scalar;
      const d2 = tf.max(tf.abs(tf.sub(tf.grad(second(ours))(a), tf.grad(second(plain))(a))));
      expect((await d2.data())[0]).toBeLessThan(
        tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' ? 1e-6 : 1e-2,
      );
      tf.dispose([a, b, bias, w, v, d2, ...got, ...want]);
    });
  }

  it('an empty inner dimension gives the bias (or zeros); no rows give an empty result', async () => {
    const bias = tf.tensor1d([1, -2, 3]);
    const none = tf.zeros([2, 0]) as tf.Tensor2D;
    const y = matMul2d(none, tf.zeros([0, 3]) as tf.Tensor2D, { bias, activation: 'relu' });
    expect(Array.from(await y.data(), (v) => v + 0)).toEqual([1, 0, 3, 1, 0, 3]); // + 0: WebGL's relu gives -0
    const z = matMul2d(none, tf.zeros([3, 0]) as tf.Tensor2D, { layout: 'nt' });
    expect(Array.from(await z.data())).toEqual([0, 0, 0, 0, 0, 0]);
    const e = matMul2d(tf.zeros([0, 4]) as tf.Tensor2D, tf.ones([4, 3]) as tf.Tensor2D);
    expect(e.shape).toEqual([0, 3]);
    tf.dispose([bias, none, y, z, e]);
  });

  it('shapes or dtypes that disagree throw, naming them, before anything runs (here or as the kernel itself)', () => {
    const a = tf.ones([4, 8]) as tf.Tensor2D;
    const b = tf.ones([6, 5]) as tf.Tensor2D;
    const bias = tf.ones([5]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    expect(() => matMul2d(a, b)).toThrow(/inner dimensions of \[4,8\] and \[6,5\] differ \(8 and 6/);
    expect(() => matMul2d(a, b, { layout: 'nt' })).toThrow(/inner dimensions .* \(8 and 5, layout 'nt'\)/);
    expect(() => matMul2d(a, b, { layout: 'tn' })).toThrow(/inner dimensions .* \(4 and 6, layout 'tn'\)/);
    const c = tf.ones([8, 5]) as tf.Tensor2D;
    expect(() => matMul2d(a, c, { bias: tf.ones([1]) as tf.Tensor1D })).toThrow(
      /bias must have shape \[5\], got \[1\]/,
    );
    expect(() => matMul2d(tf.ones([8]) as unknown as tf.Tensor2D, c)).toThrow(
      /both operands must be matrices/,
    );
    // (the tensors made inside the expectations above: c, one bias and one vector)
    expect(tf.memory().numTensors).toBe(before + 3);
    if (matMulKernelAvailable()) {
      const count = tf.memory().numTensors;
      expect(() => tf.engine().runKernel('VaeMatMul', { a, b }, { layout: 'nn', relu: false })).toThrow(
        /inner dimensions/,
      );
      expect(tf.memory().numTensors).toBe(count);
    }
    tf.dispose([a, b, c, bias]);
  });

  it('an int32 bias is added as numbers, never read as float bits or dropped (operands are read as floats)', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const bias = tf.tensor1d([1, 2], 'int32');
    const before = tf.memory().numTensors;
    const y = matMul2d(a, b, { bias });
    expect(tf.memory().numTensors).toBe(before + 1); // the casts are freed
    expect(y.dtype).toBe('float32');
    expect(Array.from(await y.data())).toEqual([2, 4, 4, 6]);
    tf.dispose([a, b, bias, y]);
  });
});
