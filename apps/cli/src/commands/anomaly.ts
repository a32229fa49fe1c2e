import { join } from 'node:path';
import { range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { subset } from '@vae/data';
import { anomalyReport } from '@vae/metrics';
import type { AnyModel, EpochRecord } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import { histogramSvg, rocCurveSvg } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import type { ModelName } from '../choices';
import { CliError, EXIT } from '../errors';
import { prepareOutputFolder } from '../files';
import { CAPS, checkSize } from '../limits';
import { buildModel, isProbabilistic, modelConfigOf, modelNameOf } from '../models';
import { createProgress, epochProgress } from '../progress';
import { checkModelSize, labelledSplits, loadTrainedModel, modelNameOrDirectory, testCap } from '../shared';

export interface AnomalyOptions {
  /** A model to train (a `vae train --model` name), or the directory of a trained one to score with. */
  model: string;
  dataset: string;
  normal: number[];
  latentDim?: number;
  hidden?: number[];
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
  force?: boolean;
  allowLarge?: boolean;
}

/**
 * `vae anomaly`: trains a model (any of `vae train --model`) on the "normal" classes only, or takes a trained one
 * (`--model <dir>`), scores every test image by its negative ELBO (VAEs, averaged over a few samples of z) or its
 * reconstruction error (autoencoders), and reports how well the score separates the held-out classes (AUROC,
 * AUPRC, the threshold at a chosen false positive rate), with the ROC curve and score histograms.
 */
export async function anomaly(options: AnomalyOptions): Promise<number> {
  const isDirectory = modelNameOrDirectory(options.model);
  checkSize(
    options,
    `--batch-size ${options.batchSize}`,
    options.batchSize,
    CAPS.rowsPerStep,
    'rows per training step',
  );
  if (!isDirectory) {
    const { latentDim, hidden, dataset, seed, allowLarge } = options;
    const model = options.model as ModelName;
    checkModelSize({ model, latentDim, hidden, dataset, seed, allowLarge }, '--hidden and --latent-dim');
  }
  const out = await prepareOutputFolder(options.out, 'anomaly', { force: options.force });
  const backend = await selectBackend(options.backend);
  const progress = createProgress({ quiet: options.quiet || options.json, stream: process.stderr });
  const { train, test, labels: trainLabels, testLabels, classes } = await labelledSplits(options, 'anomaly');
  for (const c of options.normal) {
    if (c >= classes)
      throw new CliError(
        `--normal ${c} is not a class of ${options.dataset} (0 to ${classes - 1}).`,
        EXIT.usage,
      );
  }
  if (new Set(options.normal).size >= classes) {
    throw new CliError('--normal lists every class; leave at least one out as the anomalies.', EXIT.usage);
  }
  const normal = new Set(options.normal);
  const normalIndices = range(0, train.size).filter((i) => normal.has(trainLabels[i]));
  const normalTrain = subset(train, normalIndices, 'normal training images');
  let model: AnyModel;
  if (isDirectory) {
    model = (await loadTrainedModel(options.model)).model;
    if (model.inputSize !== train.itemShape.reduce((a, b) => a * b, 1)) {
      model.dispose();
      throw new CliError(
        `the model in ${options.model} was not trained on ${options.dataset} images; pass --dataset.`,
        EXIT.usage,
      );
    }
    progress.log(
      `vae anomaly: scoring with the ${modelNameOf(model)} in ${options.model}, backend ${backend}`,
    );
  } else {
    progress.log(
      `vae anomaly: training ${options.model} on classes ${options.normal.join(',')} (${normalTrain.size} images), backend ${backend}`,
    );
    model = buildModel(
      options.model as ModelName,
      modelConfigOf(
        { model: options.model as ModelName, latentDim: options.latentDim, hidden: options.hidden },
        { inputShape: [...train.itemShape], classes },
        options.seed,
      ),
    );
    const epochs = testCap('VAE_CLI_TEST_EPOCHS', options.epochs);
    await model.fit(normalTrain, {
      epochs,
      batchSize: options.batchSize,
      learningRate: options.lr,
      seed: options.seed,
      ...epochProgress(progress, epochs, (record: EpochRecord) =>
        progress.log(`epoch ${record.epoch}/${epochs}: train loss ${record.train.total.toFixed(2)}`),
      ),
    });
    await saveModelToDirectory(model, join(out, 'model'));
  }
  const probabilistic = isProbabilistic(model);

  // score = negative ELBO per image averaged over `samples` draws of z (VAEs), or the reconstruction error
  const scores = new Float64Array(test.size);
  const draws = probabilistic ? options.samples : 1;
  for (let s = 0; s < draws; s++) {
    const values = await model.score(test, { seed: options.seed + 1 + s });
    for (let i = 0; i < scores.length; i++) scores[i] += values[i] / draws;
  }
  model.dispose();
  const anomalous = Array.from(testLabels, (label) => (normal.has(label) ? 0 : 1));
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
      {
        threshold: report.operatingPoint.threshold,
        title: probabilistic ? 'Negative ELBO of test images (nats)' : 'Reconstruction error of test images',
      },
    ),
  );
  const result = {
    model: modelNameOf(model),
    score: probabilistic ? 'negative ELBO' : 'reconstruction error',
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
        `positive rate: threshold ${report.operatingPoint.threshold.toFixed(2)} flags ` +
        `${(100 * report.operatingPoint.truePositiveRate).toFixed(1)}% of the held-out classes`,
    );
    progress.log(`wrote ${join(out, 'roc.svg')}, scores.svg, anomaly.json, model/`);
  }
  return 0;
}
