// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's seventh example: the VAE class the text imported earlier and a small MNIST-shaped
// training set, on the wasm backend (50 epochs: the cpu backend takes several times longer).
import * as preludeTf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { tensorSource as preludeTensorSource } from '@vae/core';
import { VAE } from '@vae/models';

await preludeTf.setBackend('wasm');
const train = preludeTensorSource(preludeTf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 1));
