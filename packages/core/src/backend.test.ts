import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_PACKAGES, backendPrecision, registeredBackends, selectBackend } from './backend';
import { klDivergenceDiagonalGaussian } from './divergences';
import { logSumExp } from './log-space';
import { binaryCrossEntropyWithLogits, gaussianNegativeLogLikelihood } from './losses';
import { contractivePenalty, sparsityPenalty } from './regularizers';
import { expectClose } from './testing';

// The backend the test project chose (cpu or wasm in Node, webgl in the browser); restored after each test.
const projectBackend = tf.getBackend();

afterEach(async () => {
  if (tf.getBackend() !== projectBackend) await tf.setBackend(projectBackend);
});

describe('selectBackend', () => {
  it('selects a registered backend and waits until it is ready', async () => {
    expect(registeredBackends()).toContain(projectBackend);
    expect(await selectBackend(projectBackend)).toBe(projectBackend);
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the package to install and import when a backend is not registered', async () => {
    // tfjs-node cannot be installed here, so 'tensorflow' is never registered in these tests.
    await expect(selectBackend('tensorflow')).rejects.toThrow(
      /backend 'tensorflow' is not registered: npm i @tensorflow\/tfjs-node and import it/,
    );
    for (const name of ['wasm', 'webgl', 'webgpu'] as const) {
      if (tf.findBackendFactory(name) !== null) continue;
      await expect(selectBackend(name)).rejects.toThrow(
        new RegExp(
          `backend '${name}' is not registered: npm i ${BACKEND_PACKAGES[name].replace('/', '\\/')}`,
        ),
      );
    }
    await expect(selectBackend('tpu')).rejects.toThrow(/unknown backend 'tpu'; use one of cpu, wasm, webgl/);
    expect(tf.getBackend()).toBe(projectBackend);
  });

  it('reports a backend whose initialization fails, keeping the current one', async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      tf.registerBackend('vae-broken', () => {
        throw new Error('no device');
      });
      await expect(selectBackend('vae-broken')).rejects.toThrow(
        /backend 'vae-broken' is registered but failed/,
      );
    } finally {
      console.warn = warn;
      tf.removeBackend('vae-broken');
    }
    expect(tf.getBackend()).toBe(projectBackend);
  });
});

describe('backendPrecision', () => {
  it('gives float32 tolerances for the active backend', () => {
    const precision = backendPrecision();
    expect(precision.backend).toBe(projectBackend);
    expect(precision.floatBits).toBe(32);
    expect(precision.rtol).toBeGreaterThan(0);
    expect(precision.atol).toBeGreaterThan(0);
    expect(precision.rtol).toBeLessThanOrEqual(1e-3);
  });
});

describe('cross-backend agreement', () => {
  /** A handful of values and gradients, computed on the active backend and read back. */
  async function compute(): Promise<Float32Array[]> {
    const x = tf.tensor2d([
      [0, 0.3, 1, 0.7],
      [1, 0.1, 0, 0.5],
    ]);
    const l = tf.tensor2d([
      [-1.5, 0.2, 3, -0.4],
      [2.2, -0.8, -2, 0.1],
    ]);
    const lv = tf.tensor2d([
      [0.3, -0.5, 0.1, 0.2],
      [-0.2, 0.4, 0, -0.1],
    ]);
    const w = tf.tensor2d([
      [0.3, -0.2],
      [0.1, 0.4],
      [-0.5, 0.2],
      [0.2, 0.1],
    ]);
    const values = [
      binaryCrossEntropyWithLogits(x, l, { reduction: 'none' }),
      gaussianNegativeLogLikelihood(x, l, lv, { reduction: 'none' }),
      klDivergenceDiagonalGaussian(l, lv, x, lv, { reduction: 'none' }),
      logSumExp(tf.mul(l, 100)),
      sparsityPenalty(tf.sigmoid(l), 0.1),
      contractivePenalty((input) => tf.sigmoid(tf.matMul(input, w)), x, { reduction: 'none' }),
      ...tf.grads(
        (a: tf.Tensor, b: tf.Tensor) =>
          tf.add(gaussianNegativeLogLikelihood(x, a, b), binaryCrossEntropyWithLogits(x, a)) as tf.Scalar,
      )([l, lv]),
    ];
    const out = await Promise.all(values.map(async (v) => (await v.data()) as Float32Array));
    tf.dispose([x, l, lv, w, ...values]);
    return out;
  }

  it('the active backend agrees with cpu within its tolerance', async () => {
    const here = await compute();
    await selectBackend('cpu');
    const reference = await compute();
    await selectBackend(projectBackend);
    for (let i = 0; i < here.length; i++) await expectClose(here[i], reference[i]);
  });
});
