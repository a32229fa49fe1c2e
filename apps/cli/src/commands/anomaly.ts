import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { subset } from '@vae/data';
import { anomalyReport } from '@vae/metrics';
import { VAE } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import { histogramSvg, rocCurveSvg } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import { createProgress } from '../progress';
import { loadSplit } from '../shared';
import { prepareOutput } from './train';

export interface AnomalyOptions {
  dataset: string;
  normal: number[];
  latentDim: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  limit?: number;
  testLimit?: number;
  samples: number;
  falsePositiveRate: number;
  seed: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  out: string;
  json: boolean;
  quiet: boolean;
}

/**
 * `vae anomaly`: trains a VAE on the "normal" classes only, scores every test image by its negative ELBO
 * (averaged over a few samples of z), and reports how well the score separates the held-out classes (AUROC,
 * AUPRC, the threshold at a chosen false positive rate), with the ROC curve and score histograms.
 */
export async function anomaly(options: AnomalyOptions): Promise<number> {
  const out = await prepareOutput(options.out);
  const backend = await selectBackend(options.backend);
  const progress = createProgress({ quiet: options.quiet || options.json, stream: process.stderr });
  const train = await loadSplit(options.dataset, 'train', { ...options, limit: options.limit });
  const test = await loadSplit(options.dataset, 'test', { ...options, limit: options.testLimit });
  if (!train.labels || !test.labels)
    throw new CliError(`${options.dataset} has no labels; anomaly needs classes.`);
  const classes = train.classNames?.length ?? Math.max(...train.labels) + 1;
  for (const c of options.normal) {
    if (c >= classes)
      throw new CliError(`--normal ${c} is not a class of ${options.dataset} (0 to ${classes - 1}).`);
  }
  if (new Set(options.normal).size >= classes) {
    throw new CliError('--normal lists every class; leave at least one out as the anomalies.');
  }
  const normal = new Set(options.normal);
  const normalIndices = range(0, train.size).filter((i) => normal.has(train.labels![i]));
  const normalTrain = subset(train, normalIndices, 'normal training images');
  progress.log(
    `vae anomaly: training on classes ${options.normal.join(',')} (${normalTrain.size} images), backend ${backend}`,
  );
  const model = new VAE({
    inputShape: [...train.itemShape],
    hiddenUnits: options.hidden,
    latentDim: options.latentDim,
    seed: options.seed,
  });
  await model.fit(normalTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.lr,
    seed: options.seed,
    onBatchEnd: ({ epoch, batch, batches }) => {
      if (batch === 1) progress.start(epoch, options.epochs, batches);
      progress.update(batch);
    },
    onEpochEnd: (record) => {
      progress.stop();
      progress.log(`epoch ${record.epoch}/${options.epochs}: train loss ${record.train.total.toFixed(2)}`);
    },
  });
  await saveModelToDirectory(model, join(out, 'model'));

  // score = negative ELBO per image, averaged over `samples` draws of z
  const scores = new Float64Array(test.size);
  let seed = options.seed;
  for (const [start, end] of batchRanges(test.size, 500)) {
    const total = tf.tidy(() => {
      const x = test.batch(range(start, end));
      let sum = tf.zeros([end - start]);
      for (let s = 0; s < options.samples; s++) {
        const { reconstruction, kl } = model.elboTerms(x, { seed: ++seed });
        sum = tf.add(sum, tf.add(reconstruction, kl));
      }
      return tf.div(sum, options.samples);
    });
    scores.set(await total.data(), start);
    total.dispose();
  }
  model.dispose();
  const anomalous = Array.from(test.labels, (label) => (normal.has(label) ? 0 : 1));
  const report = anomalyReport(scores, anomalous, { falsePositiveRate: options.falsePositiveRate });
  const roc = Array.from(report.roc.falsePositiveRate, (fpr, i) => ({
    falsePositiveRate: fpr,
    truePositiveRate: report.roc.truePositiveRate[i],
  }));
  const normalScores = scores.filter((_, i) => anomalous[i] === 0);
  const anomalyScores = scores.filter((_, i) => anomalous[i] === 1);
  await writeFileAtomic(
    join(out, 'roc.svg'),
    rocCurveSvg(roc, { auc: report.auroc, title: 'ROC: held-out classes' }),
  );
  await writeFileAtomic(
    join(out, 'scores.svg'),
    histogramSvg(
      [
        { name: 'normal classes', values: normalScores },
        { name: 'held-out classes', values: anomalyScores },
      ],
      { threshold: report.operatingPoint.threshold, title: 'Negative ELBO of test images (nats)' },
    ),
  );
  const result = {
    dataset: options.dataset,
    normalClasses: options.normal,
    trainImages: normalTrain.size,
    testImages: test.size,
    anomalies: anomalyScores.length,
    auroc: Math.round(report.auroc * 1e4) / 1e4,
    auprc: Math.round(report.auprc * 1e4) / 1e4,
    operatingPoint: report.operatingPoint,
    out,
  };
  await writeFileAtomic(join(out, 'anomaly.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    progress.log(
      `AUROC ${result.auroc.toFixed(3)}, AUPRC ${result.auprc.toFixed(3)}; at ${options.falsePositiveRate} false ` +
        `positive rate: threshold ${report.operatingPoint.threshold.toFixed(2)} nats flags ` +
        `${(100 * report.operatingPoint.truePositiveRate).toFixed(1)}% of the held-out classes`,
    );
    progress.log(`wrote ${join(out, 'roc.svg')}, scores.svg, anomaly.json, model/`);
  }
  return 0;
}
