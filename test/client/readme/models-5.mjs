// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's fifth example: a small VAE, train and test sets, and an AbortController.
import * as preludeTf from '@tensorflow/tfjs';
import { tensorSource as preludeTensorSource } from '@vae/core';
import { VAE as PreludeVAE } from '@vae/models';

await preludeTf.setBackend('cpu');
const model = new PreludeVAE({ inputShape: [16], hiddenUnits: [8], latentDim: 2, seed: 1 });
const train = preludeTensorSource(preludeTf.randomUniform([256, 16], 0, 1, 'float32', 2));
const test = preludeTensorSource(preludeTf.randomUniform([64, 16], 0, 1, 'float32', 3));
const controller = new AbortController();
