// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's second example: a VAE with an 8-dimensional code, a ConditionalVAE over 10 classes,
// images x, codes z, two batches of images a and b to interpolate between, and a small test set.
import * as preludeTf from '@tensorflow/tfjs';
import { tensorSource as preludeTensorSource } from '@vae/core';
import { ConditionalVAE as PreludeConditionalVAE, VAE as PreludeVAE } from '@vae/models';

await preludeTf.setBackend('cpu');
const vae = new PreludeVAE({ hiddenUnits: [32], latentDim: 8, seed: 1 });
const cvae = new PreludeConditionalVAE({ hiddenUnits: [32], latentDim: 4, numClasses: 10, seed: 2 });
const x = preludeTf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
const z = preludeTf.randomNormal([4, 8], 0, 1, 'float32', 4);
const a = preludeTf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5); // inputs: interpolate encodes them
const b = preludeTf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 6);
const testData = preludeTensorSource(preludeTf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 7));
