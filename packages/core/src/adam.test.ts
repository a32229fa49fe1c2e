import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, fusedAdam, fusedAdamAvailable } from './adam';
import { expectNoLeaks, maxAbsDifference } from './testing';

// Sizes that are and are not multiples of the SIMD width (4), a scalar-sized bias and a matrix.
const SHAPES = [[3, 5], [7], [1], [8, 4]];
let counter = 0;

// 0.5 ... 3 over the elements (built in JS: tf.linspace(a, b, 1) is NaN on WebGPU).
const curvature = (v: tf.Variable) =>
  tf.tensor(
    Float32Array.from({ length: v.size }, (_, k) => 0.5 + (2.5 * k) / Math.max(1, v.size - 1)),
    v.shape,
  );

function setup() {
  const id = counter++;
  const init = SHAPES.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 10 * id + i));
  const a = init.map((t, i) => tf.variable(t, true, `adam-test-${id}-a${i}`));
  const b = init.map((t, i) => tf.variable(t, true, `adam-test-${id}-b${i}`));
  tf.dispose(init);
  // Gradients of a fixed quadratic with a different curvature per element, so moments differ per element.
  const grads = (vars: tf.Variable[], step: number) =>
    Object.fromEntries(
      vars.map((v, i) => [v.name, tf.tidy(() => tf.add(tf.mul(v, curvature(v)), 0.1 * (step - i)))]),
    );
  return { a, b, grads };
}

describe('FusedAdamOptimizer', () => {
  it('runs the fused kernel on cpu and wasm, and falls back to tfjs Adam elsewhere', () => {
    expect(fusedAdamAvailable()).toBe(['cpu', 'wasm'].includes(tf.getBackend()));
  });

  it('follows tf.train.adam step for step (values and moments), without leaking tensors', async () => {
    const { a, b, grads } = setup();
    const reference = tf.train.adam(0.05, 0.9, 0.999, 1e-8);
    const fused = fusedAdam(0.05);
    for (let step = 0; step < 6; step++) {
      const ga = grads(a, step);
      const gb = grads(b, step);
      reference.applyGradients(ga);
      // after the first step (which creates the two moments per variable) the update leaves nothing behind
      if (step === 0) fused.applyGradients(gb);
      else await expectNoLeaks(() => fused.applyGradients(gb));
      tf.dispose([...Object.values(ga), ...Object.values(gb)]);
    }
    for (let i = 0; i < a.length; i++) {
      const expected = await a[i].data();
      expect(maxAbsDifference(expected, await b[i].data())).toBeLessThan(1e-5);
      // and the step really moved the values (a test that cannot pass by doing nothing)
      expect(
        maxAbsDifference(expected, await tf.randomNormal(SHAPES[i], 0, 1, 'float32', i).data()),
      ).toBeGreaterThan(1e-3);
    }
    const [wa, wb] = [await reference.getWeights(), await fused.getWeights()];
    expect(wb.map((w) => w.name.replace('-b', '-a'))).toEqual(wa.map((w) => w.name));
    for (let i = 0; i < wa.length; i++) {
      expect(maxAbsDifference(await wa[i].tensor.data(), await wb[i].tensor.data())).toBeLessThan(1e-5);
    }
    tf.dispose([wa[0].tensor, wb[0].tensor]); // the iteration counts; the rest are the optimizers' variables
    reference.dispose();
    fused.dispose();
    tf.dispose([...a, ...b]);
  });

  it("keeps tfjs Adam's name, config and weights: a checkpoint moves between the two", async () => {
    const { a, b, grads } = setup();
    const fused = fusedAdam(0.01);
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    expect(fused.getClassName()).toBe('Adam');
    expect(fused.getConfig()).toEqual(reference.getConfig());
    for (let step = 0; step < 3; step++) {
      const [ga, gb] = [grads(a, step), grads(b, step)];
      fused.applyGradients(ga);
      reference.applyGradients(gb);
      tf.dispose([...Object.values(ga), ...Object.values(gb)]);
    }
    // resume the fused run in a plain tfjs Adam and the tfjs run in a fused one: both go on alike
    const fromFused = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    await fromFused.setWeights((await fused.getWeights()).map((w) => ({ ...w, tensor: tf.clone(w.tensor) })));
    const fromTfjs = FusedAdamOptimizer.fromConfig(FusedAdamOptimizer, reference.getConfig()) as tf.Optimizer;
    await fromTfjs.setWeights(
      (await reference.getWeights()).map((w) => ({ ...w, tensor: tf.clone(w.tensor) })),
    );
    const [ga, gb] = [grads(a, 3), grads(b, 3)];
    fromFused.applyGradients(ga);
    fromTfjs.applyGradients(gb);
    for (let i = 0; i < a.length; i++) {
      expect(maxAbsDifference(await a[i].data(), await b[i].data())).toBeLessThan(1e-5);
    }
    tf.dispose([...Object.values(ga), ...Object.values(gb)]);
    for (const o of [fused, reference, fromFused, fromTfjs]) o.dispose();
    tf.dispose([...a, ...b]);
  });

  it('rejects bad hyperparameters with a message naming them', () => {
    expect(() => fusedAdam(Number.NaN)).toThrow(/learningRate must be a finite number/);
    expect(() => fusedAdam(1e-3, 1)).toThrow(/beta1 and beta2 must lie in \[0, 1\)/);
  });

  it('refuses moments of another shape (variables passed in another order), before the update runs', async () => {
    const a = tf.variable(tf.ones([3]), true, 'adam-order-a');
    const b = tf.variable(tf.ones([2, 2]), true, 'adam-order-b');
    const optimizer = fusedAdam(0.1);
    const ga = tf.ones([3]);
    const gb = tf.ones([2, 2]);
    optimizer.applyGradients({ 'adam-order-a': ga, 'adam-order-b': gb } as never);
    const before = Array.from(await b.data());
    if (fusedAdamAvailable()) {
      expect(() => optimizer.applyGradients({ 'adam-order-b': gb, 'adam-order-a': ga } as never)).toThrow(
        /moments at position 0 have shape \[3\], but 'adam-order-b' has \[2,2\]: pass the same variables/,
      );
      expect(Array.from(await b.data())).toEqual(before);
    }
    optimizer.dispose();
    tf.dispose([a, b, ga, gb]);
  });
});
