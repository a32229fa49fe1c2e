// Writes an UNTRAINED placeholder model (784-400-20 VAE, seed 1) to public/models/mnist-vae, so the demo runs
// before a trained model exists. Its samples are grey noise. Replace it with `node scripts/prepare-model.mjs`.
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
