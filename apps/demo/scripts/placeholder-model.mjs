// Overwrites public/models/mnist-vae with an UNTRAINED 784-400-20 VAE (seed 1): a quick stand-in where the vae CLI
// cannot train one. Its samples are grey noise. The real model comes from `node scripts/prepare-model.mjs`.
// Needs the built libraries: `pnpm turbo run build --filter='./packages/*'`.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { VAE } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';

const directory = fileURLToPath(new URL('../public/models/mnist-vae/', import.meta.url));
await tf.setBackend('cpu');
const model = new VAE({ seed: 1 });
await saveModelToDirectory(model, directory);
model.dispose();
console.log(`wrote an untrained placeholder model to ${directory}`);
