/**
 * The figures and the HTML report of a training run, from the model, its test data, metrics.json and config.json.
 * `vae train` writes them at the end of a run; `vae report` makes them again from a saved run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { range } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import type { AnyModel } from '@vae/models';
import {
  concatImagesVertically,
  encodePng,
  htmlReport,
  imageGrid,
  lineChartSvg,
  tensorToImageBatch,
} from '@vae/viz';
import { latentFigures } from './figures';
import { isProbabilistic, modelNameOf } from './models';
import { datasetTitle, labelsFor } from './shared';

/** One epoch of metrics.json. */
export interface EpochEntry {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  train: Record<string, number>;
  test: Record<string, number>;
  /** M2: the share of test images its classifier gets wrong. */
  testError?: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface RunMetrics {
  epochs: EpochEntry[];
  final?: Record<string, unknown>;
}

/** The files of a report: name -> contents (report.html among them). */
export type ReportFiles = Record<string, string | Uint8Array>;

export async function buildReport(
  model: AnyModel,
  testData: ImageDataset,
  metrics: RunMetrics,
  config: Record<string, unknown>,
  options: { seed: number; dataset: string },
): Promise<ReportFiles> {
  const files: ReportFiles = {};
  const probabilistic = isProbabilistic(model);
  const name = modelNameOf(model);
  const count = Math.min(16, testData.size);
  const indices = range(0, count);
  const originals = testData.batch(indices);
  const reconstructions = model.reconstruct(originals, labelsFor(model, testData, indices));
  // Figures at a size people can see: tiles of about 64 pixels (3x for 28-pixel digits).
  const originalsGrid = imageGrid(await tensorToImageBatch(originals), { columns: count, scale: 'auto' });
  const reconstructionGrid = imageGrid(await tensorToImageBatch(reconstructions), {
    columns: count,
    scale: 'auto',
  });
  tf.dispose([originals, reconstructions]);
  const reconstructionsPng = encodePng(concatImagesVertically([originalsGrid, reconstructionGrid]));
  files['reconstructions.png'] = reconstructionsPng;
  let samplesPng: Uint8Array | undefined;
  if (probabilistic) {
    // conditional models: one row per class
    const classes = model.usesLabels ? (model.config as unknown as { numClasses: number }).numClasses : 0;
    const labels = model.usesLabels
      ? Array.from({ length: 64 }, (_, i) => Math.floor(i / 8) % classes)
      : undefined;
    const samples = model.sample(64, { seed: options.seed, labels });
    samplesPng = encodePng(imageGrid(await tensorToImageBatch(samples), { columns: 8, scale: 'auto' }));
    samples.dispose();
    files['samples.png'] = samplesPng;
  }

  const regularized = metrics.epochs.some((e) => (e.test.regularizer ?? 0) !== 0);
  const second = probabilistic ? 'kl' : 'regularizer';
  const series = (key: 'train' | 'test', field: string) =>
    metrics.epochs.map((e) => [e.epoch, e[key][field] ?? 0] as [number, number]);
  const lossName = probabilistic ? 'Negative ELBO' : 'Loss';
  const unit =
    probabilistic || (config.modelConfig as { data?: string })?.data !== 'real'
      ? 'nats per image'
      : 'per image';
  const lossChart = lineChartSvg({
    title: `${lossName} per epoch`,
    xLabel: 'epoch',
    yLabel: unit,
    series: [
      { name: 'train', points: series('train', 'loss') },
      { name: 'test', points: series('test', 'loss') },
    ],
  });
  const termsChart = lineChartSvg({
    title: 'Loss terms on the test set',
    xLabel: 'epoch',
    yLabel: unit,
    series: [
      { name: 'reconstruction', points: series('test', 'reconstruction') },
      ...(probabilistic || regularized
        ? [{ name: second === 'kl' ? 'KL' : 'regularizer', points: series('test', second) }]
        : []),
    ],
  });
  files['loss.svg'] = lossChart;
  const latent = await latentFigures(model, testData, { seed: options.seed });
  files['latent-scatter.svg'] = latent.scatter;
  files['traversal.png'] = latent.traversal;
  if (latent.manifold) files['manifold.png'] = latent.manifold;

  const final = metrics.final ?? {};
  const last = metrics.epochs[metrics.epochs.length - 1];
  const number = (value: unknown) => (typeof value === 'number' ? value : Number.NaN);
  const summary = probabilistic
    ? [
        { label: 'test loss (nats/image)', value: number(final.testLoss ?? last?.testLoss) },
        { label: 'reconstruction', value: number(final.testReconstruction ?? last?.test.reconstruction) },
        { label: 'KL', value: number(final.testKl ?? last?.test.kl) },
      ]
    : [
        { label: `test loss (${unit})`, value: number(final.testLoss ?? last?.testLoss) },
        { label: 'reconstruction', value: number(final.testReconstruction ?? last?.test.reconstruction) },
        ...(regularized ? [{ label: 'regularizer', value: number(final.testRegularizer) }] : []),
      ];
  const html = htmlReport({
    title: `${name} on ${datasetTitle(options.dataset)}`,
    subtitle: `latent dimension ${model.latentDim}, ${metrics.epochs.length} epochs, generated ${new Date().toISOString()}`,
    summary: [
      ...summary,
      { label: 'epochs', value: number(final.epochsCompleted ?? metrics.epochs.length) },
      ...(typeof final.seconds === 'number' ? [{ label: 'seconds', value: final.seconds }] : []),
      { label: 'backend', value: String(config.backend ?? 'unknown') },
    ],
    sections: [
      {
        title: 'Reconstructions',
        text: probabilistic
          ? 'Top row: test images. Bottom row: the decoder mean at the posterior mean of each.'
          : 'Top row: test images. Bottom row: their reconstructions.',
        figures: [{ caption: 'test images and their reconstructions', png: reconstructionsPng }],
      },
      ...(samplesPng
        ? [
            {
              title: 'Samples',
              text: `Decoder means for 64 draws of z from the prior N(0, I)${model.usesLabels ? ', one row per class' : ''}.`,
              figures: [{ caption: 'samples from the prior', png: samplesPng }],
            },
          ]
        : []),
      {
        title: 'Latent space',
        text:
          `${probabilistic ? 'Posterior means' : 'Codes'} of test images coloured by class; each latent dimension ` +
          'swept from -3 to 3 with the others at 0' +
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
          { caption: `${lossName.toLowerCase()}, train and test`, svg: lossChart },
          { caption: 'loss terms (test)', svg: termsChart },
        ],
      },
    ],
    tables: [
      {
        title: `Per epoch (${unit})`,
        columns: [
          'epoch',
          'train loss',
          'test loss',
          'test reconstruction',
          probabilistic ? 'test KL' : 'test regularizer',
          'seconds',
          'images/s',
        ],
        rows: metrics.epochs.map((e) => [
          e.epoch,
          e.trainLoss,
          e.testLoss,
          e.test.reconstruction,
          e.test[second] ?? 0,
          e.seconds,
          e.imagesPerSecond,
        ]),
      },
    ],
    config,
  });
  files['report.html'] = html;
  return files;
}
