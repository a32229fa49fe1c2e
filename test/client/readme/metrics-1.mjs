// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the metrics README's example: small stand-ins for what the text leaves to the reader (a VAE trained a
// little on 16-value examples, labelled train and test sources, a factor source rendering 16-value examples, a decoder
// kernel, anomaly scores), so that every call runs with its defaults in reasonable time.
import * as preludeTf from '@tensorflow/tfjs';
import { tensorSource as preludeTensorSource } from '@vae/core';
import { VAE as PreludeVAE } from '@vae/models';

await preludeTf.setBackend('cpu');
const preludeExamples = (n, seed) => {
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = preludeTf.tidy(() =>
    preludeTf
      .oneHot(labels, 3)
      .tile([1, 6])
      .slice([0, 0], [n, 16])
      .mul(0.8)
      .add(preludeTf.randomUniform([n, 16], 0, 0.2, 'float32', seed)),
  );
  return preludeTensorSource(x, labels);
};
const trainData = preludeExamples(96, 1);
const testData = preludeExamples(24, 2);
const model = new PreludeVAE({ inputShape: [16], hiddenUnits: [8], latentDim: 4, seed: 3 });
await model.fit(trainData, { epochs: 3, batchSize: 32, seed: 4 });
const sprites = {
  factorSizes: [3, 4],
  factorNames: ['kind', 'place'],
  itemShape: [16],
  render: (factors) =>
    preludeTf.tidy(() => {
      const kinds = preludeTf
        .oneHot(
          factors.map((f) => f[0]),
          3,
        )
        .tile([1, 2]);
      const places = preludeTf
        .oneHot(
          factors.map((f) => f[1]),
          4,
        )
        .tile([1, 3])
        .slice([0, 0], [factors.length, 10]);
      return preludeTf.concat([kinds, places], 1);
    }),
};
const decoderKernel = preludeTf.randomNormal([4, 16], 0, 1, 'float32', 5);
const scores = Float32Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 2 : 0) + ((i * 37) % 11) / 10);
const isAnomaly = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0));
