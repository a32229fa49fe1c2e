import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activationGradient, activationSlope, applyActivation } from './activations';
// tfjs-core's op gradients, for the autodiff reference (the library registers them on import, as here)
import './gradients';

describe('activations', () => {
  // away from relu's kink, where its derivative is not defined
  const a = tf.tensor1d([-2.5, -0.7, -0.1, 0.2, 0.9, 3]);

  it.each(ACTIVATIONS)(
    '%s: the slope from the output equals the derivative by autodiff and by central differences',
    async (activation) => {
      const before = tf.memory().numTensors;
      const dy = tf.tensor1d([1, -2, 0.5, 3, -1, 2]);
      const [slope, gradient, autodiff, central] = tf.tidy(() => {
        const y = applyActivation(activation, a);
        const h = 1e-2;
        return [
          activationSlope(activation, y),
          activationGradient(activation, dy, y),
          tf.grad((x: tf.Tensor) => tf.sum(tf.mul(applyActivation(activation, x), dy)))(a),
          tf.div(
            tf.sub(applyActivation(activation, tf.add(a, h)), applyActivation(activation, tf.sub(a, h))),
            2 * h,
          ),
        ];
      });
      const [s, g, ad, c] = await Promise.all([
        slope.data(),
        gradient.data(),
        autodiff.data(),
        central.data(),
      ]);
      const dyValues = await dy.data();
      for (let i = 0; i < s.length; i++) {
        expect(g[i]).toBeCloseTo(dyValues[i] * s[i], 5);
        expect(ad[i]).toBeCloseTo(dyValues[i] * s[i], 4);
        expect(c[i]).toBeCloseTo(s[i], 3);
      }
      tf.dispose([dy, slope, gradient, autodiff, central]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
