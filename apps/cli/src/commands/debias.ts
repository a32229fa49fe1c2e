import { join } from 'node:path';
import { writeFileAtomic } from '@vae/core/node';
import { type BiasedShapes, biasedShapes, type RareAttribute } from '@vae/data';
import { type SubgroupAccuracy, subgroupAccuracy, upweightedExamples } from '@vae/metrics';
import { DBVAE, type DebiasingSnapshot, debiasingSampler, type EpochRecord } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import { encodePng, htmlReport, imageGrid, lineChartSvg } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { prepareOutputFolder } from '../files';
import { interruptOnSignals } from '../interrupt';
import { createProgress, epochProgress, type Progress } from '../progress';
import { testCap } from '../shared';

export interface DebiasOptions {
  trainSize: number;
  testSize: number;
  imageSize: number;
  rareAttribute: RareAttribute;
  rareFraction: number;
  latentDim: number;
  hidden: number[];
  classifierWeight: number;
  alpha: number;
  bins: number;
  epochs: number;
  batchSize: number;
  lr: number;
  top: number;
  seed: number;
  backend: BackendChoice;
  out: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** What one training (without or with debiasing) gives. */
interface Variant {
  name: 'biased' | 'debiased';
  accuracy: SubgroupAccuracy;
  epochs: EpochRecord[];
  snapshot?: DebiasingSnapshot;
}

const round = (value: number) => Math.round(value * 1e4) / 1e4;

/**
 * `vae debias`: the DB-VAE experiment of Amini et al. (AIES 2019) on `biasedShapes` of @vae/data. The same DB-VAE
 * (same seed, epochs, batch size and learning rate, so the same number of steps) is trained twice on the biased
 * training set: with a uniform shuffle, and with `debiasingSampler` redrawing the positives each epoch by their
 * inverse latent density. Reports accuracy per subgroup of the balanced test set, the worst group and the gap, and
 * draws the training examples the debiasing upweighted most.
 */
export async function debias(options: DebiasOptions): Promise<number> {
  let data: BiasedShapes;
  try {
    data = biasedShapes({
      trainSize: options.trainSize,
      testSize: options.testSize,
      imageSize: options.imageSize,
      rareAttribute: options.rareAttribute,
      rareFraction: options.rareFraction,
      seed: options.seed,
    });
  } catch (error) {
    throw new CliError((error as Error).message.replace(/^biasedShapes: /, ''), EXIT.usage);
  }
  const out = await prepareOutputFolder(options.out, 'debias', { force: options.force });
  const backend = await selectBackend(options.backend);
  const progress = createProgress({ quiet: Boolean(options.quiet || options.json), stream: process.stderr });
  const interrupt = interruptOnSignals({ progress });
  const epochs = testCap('VAE_CLI_TEST_EPOCHS', options.epochs);
  const { train, test } = data;
  const rare = train.groups.filter((g) => g === 1).length;
  const positives = train.labels.reduce((a, b) => a + b, 0);
  progress.log(
    `vae debias: ${train.size} training images (${positives} positives, ${rare} of them ${options.rareAttribute}), ` +
      `${test.size} balanced test images, ${epochs} epochs, backend ${backend}`,
  );
  try {
    const variants: Variant[] = [];
    for (const name of ['biased', 'debiased'] as const) {
      variants.push(await trainVariant(name, data, options, epochs, out, progress, interrupt.signal));
      if (interrupt.signal.aborted) {
        throw new CliError('interrupted: the comparison was not finished.', EXIT.interrupted);
      }
    }
    const [before, after] = variants;
    const snapshot = after.snapshot as DebiasingSnapshot;
    const groupsOfPositives = Array.from(snapshot.indices, (i) => train.groups[i]);
    const top = upweightedExamples(snapshot.weights, Math.min(options.top, snapshot.weights.length), {
      groups: groupsOfPositives,
    });
    const topIndices = Array.from(top.indices, (i) => snapshot.indices[i]);
    const pixels = options.imageSize * options.imageSize;
    const tiles = new Float32Array(topIndices.length * pixels);
    topIndices.forEach((index, k) => {
      tiles.set(train.values.subarray(index * pixels, (index + 1) * pixels), k * pixels);
    });
    const grid = imageGrid(
      { values: tiles, count: topIndices.length, height: options.imageSize, width: options.imageSize },
      { columns: Math.min(16, topIndices.length), scale: 'auto', background: 0.5 },
    );
    const png = encodePng(grid);
    await writeFileAtomic(join(out, 'upweighted.png'), png);
    const rareShare = top.groupWeightShares?.[1];
    const upweighted = {
      count: topIndices.length,
      indices: topIndices,
      groups: groupsOfPositives.length
        ? Array.from(top.indices, (i) => data.groupNames[groupsOfPositives[i]])
        : [],
      rareInTop: top.groupCounts?.[1] ?? 0,
      rareWeightShare: rareShare ? round(rareShare.weightShare) : 0,
      rareExampleShare: rareShare ? round(rareShare.exampleShare) : 0,
      maxRatioToMean: round(top.ratios[0]),
    };
    const summaryOf = (v: Variant) => ({
      worstGroup: data.groupNames[v.accuracy.worstGroup],
      worstAccuracy: round(v.accuracy.worstAccuracy),
      gap: round(v.accuracy.gap),
      overall: round(v.accuracy.overall),
      meanGroupAccuracy: round(v.accuracy.meanGroupAccuracy),
      groups: Object.fromEntries(v.accuracy.groups.map((g) => [g.name, round(g.accuracy)])),
      finalTrainLoss: round(v.epochs[v.epochs.length - 1]?.train.total ?? Number.NaN),
    });
    const result = {
      dataset: 'biased-shapes',
      data: { ...data.options, trainSize: train.size, testSize: test.size, rareTrainingPositives: rare },
      model: {
        latentDim: options.latentDim,
        hidden: options.hidden,
        classifierWeight: options.classifierWeight,
      },
      training: { epochs, batchSize: options.batchSize, lr: options.lr, seed: options.seed, backend },
      debiasing: { alpha: options.alpha, bins: options.bins },
      biased: summaryOf(before),
      debiased: summaryOf(after),
      upweighted,
      out,
    };
    await writeFileAtomic(
      join(out, 'metrics.json'),
      `${JSON.stringify({ ...result, epochs: { biased: before.epochs, debiased: after.epochs } }, null, 2)}\n`,
    );
    await writeFileAtomic(join(out, 'report.html'), report(result, variants, data, png, epochs));
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      for (const v of variants) {
        const s = summaryOf(v);
        progress.log(
          `${v.name.padEnd(8)}: worst group ${(100 * s.worstAccuracy).toFixed(1)} % (${s.worstGroup}), gap ` +
            `${(100 * s.gap).toFixed(1)} points, overall ${(100 * s.overall).toFixed(1)} %`,
        );
      }
      progress.log(
        `the top ${upweighted.count} upweighted training examples: ${upweighted.rareInTop} of the rare subgroup; the ` +
          `rare subgroup gets ${(100 * upweighted.rareWeightShare).toFixed(1)} % of the sampling weight ` +
          `(${(100 * upweighted.rareExampleShare).toFixed(1)} % of the positives)`,
      );
      progress.log(`wrote ${join(out, 'report.html')}, metrics.json, upweighted.png, biased/, debiased/`);
    }
    return EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

async function trainVariant(
  name: 'biased' | 'debiased',
  data: BiasedShapes,
  options: DebiasOptions,
  epochs: number,
  out: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<Variant> {
  const model = new DBVAE({
    inputShape: [options.imageSize, options.imageSize, 1],
    hiddenUnits: options.hidden,
    latentDim: options.latentDim,
    classifierWeight: options.classifierWeight,
    seed: options.seed,
  });
  try {
    const sampler =
      name === 'debiased'
        ? debiasingSampler(model, data.train, { alpha: options.alpha, bins: options.bins })
        : undefined;
    progress.log(
      name === 'debiased'
        ? `training with debiasing (positives redrawn each epoch by inverse latent density, alpha ${options.alpha})`
        : 'training without debiasing (uniform shuffle)',
    );
    const history = await model.fit(data.train, {
      epochs,
      batchSize: options.batchSize,
      learningRate: options.lr,
      seed: options.seed,
      epochSampler: sampler,
      signal,
      ...epochProgress(progress, epochs, (record: EpochRecord) =>
        progress.log(
          `${name} epoch ${record.epoch}/${epochs}: loss ${record.train.total.toFixed(2)} (classifier ` +
            `${(record.train.regularizer ?? 0).toFixed(3)}, reconstruction ${record.train.reconstruction.toFixed(1)})`,
        ),
      ),
    });
    if (history.aborted) return { name, accuracy: emptyAccuracy(), epochs: history.epochs };
    const probabilities = await model.predict(data.test);
    const predictions = Array.from(probabilities, (p) => (p >= 0.5 ? 1 : 0));
    const accuracy = subgroupAccuracy(predictions, data.test.labels, data.test.groups, {
      groupNames: data.groupNames,
    });
    await saveModelToDirectory(model, join(out, name));
    return { name, accuracy, epochs: history.epochs, snapshot: sampler?.last };
  } finally {
    model.dispose();
  }
}

function emptyAccuracy(): SubgroupAccuracy {
  return subgroupAccuracy([0], [0], [0]);
}

function report(
  result: {
    biased: { worstAccuracy: number; gap: number };
    debiased: { worstAccuracy: number; gap: number };
    upweighted: { count: number; rareInTop: number; rareWeightShare: number; rareExampleShare: number };
    data: object;
    training: object;
    debiasing: object;
    model: object;
  },
  variants: Variant[],
  data: BiasedShapes,
  png: Uint8Array,
  epochs: number,
): string {
  const percent = (value: number) => `${(100 * value).toFixed(1)} %`;
  const points = (value: number) => `${(100 * value).toFixed(1)} points`;
  const curves = lineChartSvg({
    title: 'Classification term per epoch (classifierWeight x BCE, training set)',
    xLabel: 'epoch',
    yLabel: 'weighted BCE',
    series: variants.map((v) => ({
      name: v.name,
      points: v.epochs.map((e): [number, number] => [e.epoch, e.train.regularizer ?? 0]),
    })),
  });
  return htmlReport({
    title: 'Debiasing with a DB-VAE',
    subtitle:
      `Biased procedural shapes: ${data.options.rareFraction * 100} % of the training positives are ` +
      `${data.options.rareAttribute}; the test set is balanced over the four subgroups. Equal budget: ${epochs} ` +
      'epochs of the same number of steps, with and without resampling.',
    summary: [
      { label: 'worst group, biased', value: percent(result.biased.worstAccuracy) },
      { label: 'worst group, debiased', value: percent(result.debiased.worstAccuracy) },
      { label: 'gap, biased', value: points(result.biased.gap) },
      { label: 'gap, debiased', value: points(result.debiased.gap) },
      {
        label: 'rare in top upweighted',
        value: `${result.upweighted.rareInTop} of ${result.upweighted.count}`,
      },
    ],
    sections: [
      {
        title: 'The training examples the debiasing upweighted most',
        text:
          `Highest sampling weight first, from the last epoch's latent histograms. The rare subgroup is ` +
          `${percent(result.upweighted.rareExampleShare)} of the positives and receives ` +
          `${percent(result.upweighted.rareWeightShare)} of the sampling weight.`,
        figures: [{ caption: 'Top upweighted training positives', png }],
      },
      { title: 'Training', figures: [{ caption: 'Classification term per epoch', svg: curves }] },
    ],
    tables: [
      {
        title: 'Test accuracy per subgroup',
        columns: ['subgroup', 'examples', ...variants.map((v) => v.name)],
        rows: data.groupNames.map((name, g) => [
          name,
          variants[0].accuracy.groups[g]?.count ?? 0,
          ...variants.map((v) => v.accuracy.groups[g]?.accuracy ?? Number.NaN),
        ]),
      },
    ],
    config: {
      data: result.data,
      model: result.model,
      training: result.training,
      debiasing: result.debiasing,
    },
  });
}
