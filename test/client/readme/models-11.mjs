// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's ninth example (priors, samplers, VQ-VAE): a small MNIST-shaped training set, on
// the cpu backend.
import * as preludeTf from '@tensorflow/tfjs';
import { tensorSource as preludeTensorSource } from '@vae/core';

await preludeTf.setBackend('cpu');
const train = preludeTensorSource(preludeTf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 1));
