// Picks the tfjs backend for a Node test project (VAE_TEST_BACKEND = cpu | wasm). Libraries never do this.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Every network kind of @vae/models (conv trunks and saved tfjs Layers networks need this import in an app).
import '@vae/models/layers';

const backend = process.env.VAE_TEST_BACKEND ?? 'cpu';
if (backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`);
}
if (!(await tf.setBackend(backend))) throw new Error(`could not initialise the ${backend} backend`);
await tf.ready();
