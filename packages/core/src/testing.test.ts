import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  backendPrecision,
  checkGradients,
  checkVariableGradients,
  closeness,
  expectClose,
  expectNoLeaks,
} from './testing';

// tfjs types customGrad's function as variadic over Tensor | GradSaveFunc.
type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** x^2 with a deliberately wrong gradient (3x instead of 2x). */
const wrongSquare = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.square(x),
  gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(3, x)),
})) as CustomGradient);

describe('closeness and expectClose', () => {
  it('pass within atol + rtol |expected| and treat NaN and infinities as equal to themselves', async () => {
    expect(closeness([1, 2.0001], [1, 2], { rtol: 1e-4, atol: 0 }).ok).toBe(true);
    expect(closeness([Number.NaN, Number.POSITIVE_INFINITY], [Number.NaN, Number.POSITIVE_INFINITY]).ok).toBe(
      true,
    );
    expect(closeness([Number.NaN], [0]).ok).toBe(false);
    expect(closeness([Number.NEGATIVE_INFINITY], [Number.POSITIVE_INFINITY]).ok).toBe(false);
    await expectClose(tf.tensor2d([[1, 2]]), [[1, 2.00001]]);
    await expectClose(3, tf.scalar(3));
    await expectClose(new Float32Array([0.5]), [0.5]);
  });

  it('fail with the indices, values and tolerances of the worst entries', async () => {
    const error = await expectClose(
      tf.tensor2d([
        [1, 2],
        [3, 4.5],
      ]),
      [
        [1, 2],
        [3, 4],
      ],
      { rtol: 1e-3, atol: 1e-6 },
    ).catch((e: Error) => e);
    expect(String(error)).toMatch(/1 of 4 values differ beyond atol 0.000001 \+ rtol 0.001/);
    expect(String(error)).toMatch(/at \[1, 1\]: actual 4.5, expected 4, \|diff\| 0.500/);
    await expect(expectClose(tf.zeros([2, 3]), [[0, 0]])).rejects.toThrow(
      /actual has shape \[2,3\] but expected has shape \[1,2\]/,
    );
    expect(closeness([1, 2], [1]).message).toMatch(/2 actual values but 1 expected/);
  });

  it('default to the backend precision', () => {
    const { rtol, atol } = backendPrecision();
    expect(closeness([1 + rtol / 2], [1]).ok).toBe(true);
    expect(closeness([1 + 4 * rtol + atol], [1]).ok).toBe(false);
  });
});

describe('checkGradients and checkVariableGradients', () => {
  it('accept correct gradients and return both', async () => {
    const report = await checkGradients(
      (a, b) => tf.sum(tf.mul(tf.sin(a), tf.exp(b))) as tf.Scalar,
      [tf.tensor1d([0.3, -1.2]), tf.tensor1d([0.5, 0.1])],
    );
    expect(report.analytic).toHaveLength(2);
    expect(report.maxAbsDifference).toBeLessThan(1e-2);
    const v = tf.variable(tf.tensor1d([0.4, -0.7]));
    await checkVariableGradients(() => tf.sum(tf.square(tf.tanh(v))) as tf.Scalar, [v]);
    v.dispose();
  });

  it('reject a wrong gradient, naming the input and the element', async () => {
    await expect(
      checkGradients((a) => tf.sum(wrongSquare(a) as tf.Tensor) as tf.Scalar, [tf.tensor1d([1, 2])]),
    ).rejects.toThrow(/input 0 \(shape \[2\]\) at \[1\]: analytic 6, central difference 3\.99/);
    const v = tf.variable(tf.tensor1d([1]), true, 'vae-test/wrong');
    await expect(
      checkVariableGradients(() => tf.sum(wrongSquare(v) as tf.Tensor) as tf.Scalar, [v]),
    ).rejects.toThrow(/variable 'vae-test\/wrong' \(shape \[1\]\) at \[0\]: analytic 3/);
    // The variable is restored after the check.
    expect(Array.from(await v.data())).toEqual([1]);
    v.dispose();
  });

  it('leak no tensors', async () => {
    const a = tf.tensor1d([0.3, -1.2]);
    const v = tf.variable(tf.tensor1d([0.4]));
    await expectNoLeaks(() => checkGradients((t) => tf.sum(tf.square(t)) as tf.Scalar, [a]));
    await expectNoLeaks(() => checkVariableGradients(() => tf.sum(tf.square(v)) as tf.Scalar, [v]));
    await expectNoLeaks(() => expectClose(a, [0.3, -1.2]));
    tf.dispose([a, v]);
  });
});
