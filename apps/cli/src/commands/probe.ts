import { join } from 'node:path';
import { writeFileAtomic } from '@vae/core/node';
import {
  type AnyModel,
  compareLabelBudgets,
  type EpochRecord,
  type LabelBudgetMethod,
  type ModelClassName,
  pretrain,
  summarizeLabelBudgets,
} from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import { lineChartSvg } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { MODEL_NAMES } from '../choices';
import { CliError, EXIT } from '../errors';
import { prepareOutputFolder } from '../files';
import { interruptOnSignals } from '../interrupt';
import { CAPS, checkSize } from '../limits';
import { createProgress, epochProgress } from '../progress';
import { labelledSplits, loadTrainedModel, modelNameOrDirectory, testCap } from '../shared';

export interface ProbeOptions {
  /** A model to pretrain (a `vae train --model` name), or the directory of a trained one. */
  model: string;
  dataset: string;
  /** Label budgets: numbers of labels, or 'all'. */
  labels: Array<number | 'all'>;
  methods: LabelBudgetMethod[];
  /** Runs per budget (seeds seed, seed + 1, ...). */
  seeds: number;
  latentDim?: number;
  hidden?: number[];
  /** Pretraining epochs (when --model is a name). */
  epochs: number;
  batchSize: number;
  lr: number;
  /** Optimizer steps of each classifier. */
  steps: number;
  /** Steps that train the head alone before fine-tuning (and from scratch). */
  headSteps: number;
  limit?: number;
  testLimit?: number;
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

const METHOD_TITLES: Record<LabelBudgetMethod, string> = {
  probe: 'linear probe (frozen codes)',
  'fine-tune': 'fine-tuned encoder',
  scratch: 'same network from scratch',
};

/**
 * `vae probe`: how much a model learned without labels helps with few: pretrains a model on the training images
 * without their labels (or takes a trained one), then for each label budget and seed a class-balanced subset of the
 * labels, a linear probe on the codes, a fine-tuned copy of the encoder and the same network from scratch, each scored
 * on the test images. Writes the accuracy vs number of labels (accuracy.svg), probe.json, and the pretrained model.
 */
export async function probe(options: ProbeOptions): Promise<number> {
  const isDirectory = modelNameOrDirectory(options.model);
  checkSize(
    options,
    `--batch-size ${options.batchSize}`,
    options.batchSize,
    CAPS.rowsPerStep,
    'rows per training step',
  );
  const out = await prepareOutputFolder(options.out, 'probe', { force: options.force });
  const backend = await selectBackend(options.backend);
  const progress = createProgress({ quiet: options.quiet || options.json, stream: process.stderr });
  const { train, test, classes } = await labelledSplits(options, 'probe');
  for (const budget of options.labels) {
    if (budget !== 'all' && budget < classes) {
      throw new CliError(
        `--labels ${budget} is fewer than the ${classes} classes of ${options.dataset}; give at least one per class.`,
        EXIT.usage,
      );
    }
  }
  const interrupt = interruptOnSignals({
    progress,
    reason: () => new CliError('interrupted: the comparison was not finished.', EXIT.interrupted),
  });
  let model: AnyModel | undefined;
  try {
    if (isDirectory) {
      model = (await loadTrainedModel(options.model)).model;
      if (model.inputSize !== train.itemShape.reduce((a, b) => a * b, 1)) {
        throw new CliError(
          `the model in ${options.model} was not trained on ${options.dataset} images; pass --dataset.`,
          EXIT.usage,
        );
      }
      if (model.usesLabels) {
        throw new CliError(
          `the ${model.className} in ${options.model} encodes with the label as input; probe a model that encodes images alone.`,
          EXIT.usage,
        );
      }
      progress.log(`vae probe: the ${model.className} in ${options.model}, backend ${backend}`);
    } else {
      const className = MODEL_NAMES[options.model] as ModelClassName;
      const config = Object.fromEntries(
        Object.entries({
          inputShape: [...train.itemShape],
          latentDim: options.latentDim,
          hiddenUnits: options.hidden,
          seed: options.seed,
        }).filter(([, v]) => v !== undefined),
      );
      const epochs = testCap('VAE_CLI_TEST_EPOCHS', options.epochs);
      progress.log(
        `vae probe: pretraining ${options.model} on ${train.size} ${options.dataset} images without labels, backend ${backend}`,
      );
      try {
        model = await pretrain(className, train, {
          config,
          fit: {
            epochs,
            batchSize: options.batchSize,
            learningRate: options.lr,
            seed: options.seed,
            signal: interrupt.signal,
            ...epochProgress(progress, epochs, (record: EpochRecord) =>
              progress.log(
                `pretraining epoch ${record.epoch}/${epochs}: loss ${record.train.total.toFixed(2)}`,
              ),
            ),
          },
        });
      } catch (error) {
        if ((error as Error).message.includes('needs labels')) {
          throw new CliError(
            `--model ${options.model} encodes with the label as input; pretrain a model that encodes images alone (e.g. vae, autoencoder).`,
            EXIT.usage,
          );
        }
        throw error;
      }
      if (interrupt.signal.aborted) throw interrupt.signal.reason;
      await saveModelToDirectory(model, join(out, 'model'));
    }
    const seeds = Array.from({ length: options.seeds }, (_, i) => options.seed + i);
    const classifier = { steps: options.steps, batchSize: Math.min(options.batchSize, 64) };
    const results = await compareLabelBudgets(model, train, test, {
      budgets: options.labels,
      methods: options.methods,
      seeds,
      training: {
        probe: classifier,
        'fine-tune': { ...classifier, headSteps: options.headSteps },
        scratch: { ...classifier, headSteps: options.headSteps },
      },
      signal: interrupt.signal,
      onProgress: ({ done, total, result }) =>
        progress.log(
          `[${done}/${total}] ${result.method}, ${result.labels} labels, seed ${result.seed}: ` +
            `${(100 * result.accuracy).toFixed(2)} % test accuracy`,
        ),
    });
    const summary = summarizeLabelBudgets(results);
    const series = options.methods.map((method) => ({
      name: METHOD_TITLES[method],
      points: summary
        .filter((s) => s.method === method)
        .map((s): [number, number] => [Math.log10(s.labels), 100 * s.mean]),
    }));
    await writeFileAtomic(
      join(out, 'accuracy.svg'),
      lineChartSvg({
        title: `${options.dataset}: test accuracy vs labels (mean of ${seeds.length} seed${seeds.length === 1 ? '' : 's'})`,
        xLabel: 'log10(number of labels)',
        yLabel: 'test accuracy (%)',
        series,
      }),
    );
    const result = {
      model: model.className,
      pretrained: isDirectory ? options.model : join(out, 'model'),
      dataset: options.dataset,
      trainImages: train.size,
      testImages: test.size,
      seeds,
      steps: options.steps,
      headSteps: options.headSteps,
      summary: summary.map((s) => ({
        ...s,
        mean: Math.round(s.mean * 1e4) / 1e4,
        std: Math.round(s.std * 1e4) / 1e4,
      })),
      runs: results,
      out,
    };
    await writeFileAtomic(join(out, 'probe.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      for (const s of summary) {
        progress.log(
          `${s.method.padEnd(9)} ${String(s.labels).padStart(6)} labels: ${(100 * s.mean).toFixed(2)} % ` +
            `(sd ${(100 * s.std).toFixed(2)}, ${s.runs} run${s.runs === 1 ? '' : 's'})`,
        );
      }
      progress.log(`wrote ${join(out, 'accuracy.svg')}, probe.json${isDirectory ? '' : ', model/'}`);
    }
    return 0;
  } finally {
    interrupt.dispose();
    model?.dispose();
  }
}
