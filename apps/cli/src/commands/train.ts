import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import type { ImageDataset } from '@vae/data';
import { evaluateElbo } from '@vae/metrics';
import { type EpochRecord, VAE } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import {
  concatImagesVertically,
  encodePng,
  htmlReport,
  imageGrid,
  lineChartSvg,
  tensorToImageBatch,
} from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { latentFigures } from '../figures';
import { createProgress } from '../progress';
import { datasetTitle, loadSplit } from '../shared';

export interface TrainOptions {
  model: 'vae';
  dataset: string;
  latentDim: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  beta: number;
  backend: BackendChoice;
  seed: number;
  limit?: number;
  testLimit?: number;
  dataDir?: string;
  download: boolean;
  out: string;
  json: boolean;
  quiet: boolean;
}

export async function prepareOutput(out: string): Promise<string> {
  const directory = resolve(out);
  try {
    await mkdir(directory, { recursive: true });
    const probe = join(directory, `.vae-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
    await access(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`cannot write to --out ${out} (${code}); choose a directory you can write to.`);
  }
  return directory;
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function terms(t: { reconstruction: number; kl: number; total: number }) {
  return { loss: round(t.total), reconstruction: round(t.reconstruction), kl: round(t.kl) };
}

export async function train(options: TrainOptions): Promise<number> {
  const started = performance.now();
  const out = await prepareOutput(options.out);
  const backend = await selectBackend(options.backend);
  const progress = createProgress({ quiet: options.quiet || options.json, stream: process.stderr });
  progress.log(
    `vae train: ${options.model} on ${datasetTitle(options.dataset)}, backend ${backend}, output ${out}`,
  );

  const sources = { ...options, onMessage: (m: string) => progress.log(m) };
  const trainData = await loadSplit(options.dataset, 'train', { ...sources, limit: options.limit });
  const testData = await loadSplit(options.dataset, 'test', { ...sources, limit: options.testLimit });
  progress.log(
    `data: ${trainData.size} training and ${testData.size} test images of ${trainData.itemShape.join('x')}`,
  );

  const config = {
    inputShape: [...trainData.itemShape],
    hiddenUnits: options.hidden,
    latentDim: options.latentDim,
    beta: options.beta,
    seed: options.seed,
  };
  const model = new VAE(config);
  const { json: _json, quiet: _quiet, ...repeatable } = options;
  const resolved = {
    command: 'train',
    // `vae train --config <this file>` repeats the run: the options are read back from here.
    options: repeatable,
    model: options.model,
    modelConfig: model.config,
    dataset: options.dataset,
    trainExamples: trainData.size,
    testExamples: testData.size,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.lr,
    optimizer: 'adam(beta1=0.9, beta2=0.999, epsilon=1e-8)',
    seed: options.seed,
    backend,
    versions: { tfjs: tf.version_core },
  };
  await writeFileAtomic(join(out, 'config.json'), `${JSON.stringify(resolved, null, 2)}\n`);

  const controller = new AbortController();
  const onSignal = () => {
    progress.stop();
    progress.log('interrupted: finishing the current step and saving what was trained so far');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const epochs: Array<Record<string, unknown>> = [];
  const history = await model
    .fit(trainData, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.lr,
      seed: options.seed,
      signal: controller.signal,
      onBatchEnd: ({ epoch, batch, batches }) => {
        if (batch === 1) progress.start(epoch, options.epochs, batches);
        progress.update(batch);
      },
      onEpochEnd: async (record: EpochRecord) => {
        progress.stop();
        const test = await evaluateElbo(model, testData, { seed: options.seed + record.epoch });
        const entry = {
          epoch: record.epoch,
          trainLoss: round(record.train.total),
          testLoss: round(test.loss),
          train: terms(record.train),
          test: terms({ ...test, total: test.loss }),
          seconds: round(record.seconds, 2),
          imagesPerSecond: Math.round(record.examplesPerSecond),
        };
        epochs.push(entry);
        await writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify({ epochs }, null, 2)}\n`);
        progress.log(
          `epoch ${record.epoch}/${options.epochs}: train loss ${entry.trainLoss.toFixed(2)}, test loss ` +
            `${entry.testLoss.toFixed(2)} (reconstruction ${entry.test.reconstruction.toFixed(2)}, KL ` +
            `${entry.test.kl.toFixed(2)}) nats/image, ${entry.seconds.toFixed(1)} s, ${entry.imagesPerSecond} images/s`,
        );
      },
    })
    .finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.stop();
    });

  await saveModelToDirectory(model, join(out, 'model'));
  const final = await evaluateElbo(model, testData, { seed: options.seed });
  const totalSeconds = (performance.now() - started) / 1000;
  const metrics = {
    epochs,
    final: {
      testLoss: round(final.loss),
      testReconstruction: round(final.reconstruction),
      testKl: round(final.kl),
      trainLoss: epochs.length ? epochs[epochs.length - 1].trainLoss : null,
      epochsCompleted: history.epochs.length,
      interrupted: history.aborted,
      seconds: round(totalSeconds, 2),
    },
  };
  await writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFigures(model, testData, out, options, metrics, resolved);
  model.dispose();

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ out, ...metrics.final }, null, 2)}\n`);
  } else {
    progress.log(
      `test loss ${final.loss.toFixed(2)} nats/image (reconstruction ${final.reconstruction.toFixed(2)}, ` +
        `KL ${final.kl.toFixed(2)}) after ${history.epochs.length} epochs, ${totalSeconds.toFixed(0)} s`,
    );
    progress.log(
      `wrote ${join(out, 'report.html')} (open it in a browser), model/, metrics.json, PNG figures`,
    );
  }
  return history.aborted ? EXIT.interrupted : EXIT.ok;
}

async function writeFigures(
  model: VAE,
  testData: ImageDataset,
  out: string,
  options: TrainOptions,
  metrics: { epochs: Array<Record<string, any>>; final: Record<string, unknown> },
  config: Record<string, unknown>,
): Promise<void> {
  const count = Math.min(16, testData.size);
  const originals = testData.batch(range(0, count));
  const reconstructions = model.reconstruct(originals);
  const samples = model.sample(64, { seed: options.seed });
  const originalsGrid = imageGrid(await tensorToImageBatch(originals), { columns: count });
  const reconstructionGrid = imageGrid(await tensorToImageBatch(reconstructions), { columns: count });
  const comparison = concatImagesVertically([originalsGrid, reconstructionGrid]);
  const sampleGrid = imageGrid(await tensorToImageBatch(samples), { columns: 8 });
  tf.dispose([originals, reconstructions, samples]);
  const reconstructionsPng = encodePng(comparison);
  const samplesPng = encodePng(sampleGrid);
  await writeFileAtomic(join(out, 'reconstructions.png'), reconstructionsPng);
  await writeFileAtomic(join(out, 'samples.png'), samplesPng);

  const series = (key: 'train' | 'test', field: 'loss' | 'reconstruction' | 'kl') =>
    metrics.epochs.map((e) => [e.epoch, e[key][field]] as [number, number]);
  const lossChart = lineChartSvg({
    title: 'Negative ELBO per epoch',
    xLabel: 'epoch',
    yLabel: 'nats per image',
    series: [
      { name: 'train', points: series('train', 'loss') },
      { name: 'test', points: series('test', 'loss') },
    ],
  });
  const termsChart = lineChartSvg({
    title: 'Loss terms on the test set',
    xLabel: 'epoch',
    yLabel: 'nats per image',
    series: [
      { name: 'reconstruction', points: series('test', 'reconstruction') },
      { name: 'KL', points: series('test', 'kl') },
    ],
  });
  await writeFileAtomic(join(out, 'loss.svg'), lossChart);
  const latent = await latentFigures(model, testData, { seed: options.seed });
  await writeFileAtomic(join(out, 'latent-scatter.svg'), latent.scatter);
  await writeFileAtomic(join(out, 'traversal.png'), latent.traversal);
  if (latent.manifold) await writeFileAtomic(join(out, 'manifold.png'), latent.manifold);
  const final = metrics.final;
  const html = htmlReport({
    title: `VAE on ${datasetTitle(options.dataset)}`,
    subtitle: `latent dimension ${options.latentDim}, ${metrics.epochs.length} epochs, generated ${new Date().toISOString()}`,
    summary: [
      { label: 'test loss (nats/image)', value: final.testLoss as number },
      { label: 'reconstruction', value: final.testReconstruction as number },
      { label: 'KL', value: final.testKl as number },
      { label: 'epochs', value: final.epochsCompleted as number },
      { label: 'seconds', value: final.seconds as number },
      { label: 'backend', value: String(config.backend) },
    ],
    sections: [
      {
        title: 'Reconstructions',
        text: 'Top row: test images. Bottom row: the decoder mean at the posterior mean of each.',
        figures: [{ caption: 'test images and their reconstructions', png: reconstructionsPng }],
      },
      {
        title: 'Samples',
        text: 'Decoder means for 64 draws of z from the prior N(0, I).',
        figures: [{ caption: 'samples from the prior', png: samplesPng }],
      },
      {
        title: 'Latent space',
        text:
          'Posterior means of test images coloured by class; each latent dimension swept from -3 to 3 with the ' +
          'others at 0' +
          (latent.manifold
            ? '; and the decoded manifold over the prior quantiles (Kingma and Welling, Fig. 4).'
            : '.'),
        figures: [
          { caption: 'test codes by class', svg: latent.scatter },
          { caption: 'latent traversals (rows: dimensions; columns: values -3 to 3)', png: latent.traversal },
          ...(latent.manifold ? [{ caption: '2-D latent manifold', png: latent.manifold }] : []),
        ],
      },
      {
        title: 'Training',
        figures: [
          { caption: 'negative ELBO, train and test', svg: lossChart },
          { caption: 'reconstruction and KL terms (test)', svg: termsChart },
        ],
      },
    ],
    tables: [
      {
        title: 'Per epoch (nats per image)',
        columns: [
          'epoch',
          'train loss',
          'test loss',
          'test reconstruction',
          'test KL',
          'seconds',
          'images/s',
        ],
        rows: metrics.epochs.map((e) => [
          e.epoch,
          e.trainLoss,
          e.testLoss,
          e.test.reconstruction,
          e.test.kl,
          e.seconds,
          e.imagesPerSecond,
        ]),
      },
    ],
    config,
  });
  await writeFileAtomic(join(out, 'report.html'), html);
}
