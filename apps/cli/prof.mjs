import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { VAE } from '@vae/models';

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm');
console.log('simd', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
const model = new VAE({ seed: 1 });
const x = tf.randomUniform([128, 784]);
const vars = Object.values(model.variables);
const opt = tf.train.adam(1e-3);
function time(name, f, n = 30) {
  for (let i = 0; i < 3; i++) f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(name, ((performance.now() - t) / n).toFixed(2), 'ms');
}
time('matmul 128x784x400', () =>
  tf.tidy(() => tf.matMul(x, model.variables['encoder/hidden0/kernel']).dataSync()),
);
time('matmul transposeA', () =>
  tf.tidy(() => tf.matMul(x, tf.randomUniform([128, 400]), true, false).dataSync()),
);
time('forward loss', () => tf.tidy(() => model.trainingLoss(x, { seed: 1 }).total.dataSync()));
time('grads', () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.trainingLoss(x, { seed: 1 }).total, vars);
    value.dataSync();
  }),
);
time('step', () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.trainingLoss(x, { seed: 1 }).total, vars);
    opt.applyGradients(grads);
    value.dataSync();
  }),
);
const profile = await tf.profile(() =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.trainingLoss(x, { seed: 1 }).total, vars);
    opt.applyGradients(grads);
    return value;
  }),
);
const byName = {};
for (const k of profile.kernels) {
  byName[k.name] = (byName[k.name] ?? 0) + k.kernelTimeMs;
}
console.log(
  Object.entries(byName)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15),
  profile.kernels.length,
);
