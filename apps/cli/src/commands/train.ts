import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@vae/core/node';
import type { ImageDataset } from '@vae/data';
import {
  type AnyModel,
  balancedLabelSubset,
  type Checkpoint,
  type EpochRecord,
  M2,
  NonFiniteLossError,
  semiSupervisedSource,
} from '@vae/models';
import { checkpointDirectory, loadCheckpointFromDirectory, saveModelToDirectory } from '@vae/models/node';
import { type BackendChoice, selectBackend, workerBackendModule } from '../backend';
import { CliError, EXIT } from '../errors';
import { testTerms } from '../evaluation';
import { prepareOutputFolder, readJsonFile, tagPng } from '../files';
import { interruptOnSignals } from '../interrupt';
import { CAPS, checkSize } from '../limits';
import {
  buildModel,
  checkModelOptions,
  isProbabilistic,
  klScheduleOf,
  MODEL_NAMES,
  type ModelOptions,
  modelConfigOf,
} from '../models';
import { createProgress, epochProgress } from '../progress';
import { buildReport, type EpochEntry } from '../report';
import { checkModelSize, datasetTitle, loadSplit, testCap } from '../shared';

export interface TrainOptions extends ModelOptions {
  dataset: string;
  epochs: number;
  batchSize: number;
  lr: number;
  backend: BackendChoice;
  /** Data-parallel worker threads (fit's `workers`); not saved with the run. */
  workers?: number | 'auto';
  seed: number;
  limit?: number;
  testLimit?: number;
  /** M2: keep the labels of only this many training images (balanced per class, chosen by the seed). */
  labelled?: number;
  dataDir?: string;
  download: boolean;
  out: string;
  /** Write into an --out folder that holds files vae train did not write. */
  force?: boolean;
  /** Lift the size limits (limits.ts). */
  allowLarge?: boolean;
  /** Continue the run in this directory (true: the --out directory) from its checkpoint. */
  resume?: string | boolean;
  json: boolean;
  quiet: boolean;
}

/** Options `--resume` may change; the rest come from the run's config.json. */
const RESUME_OVERRIDES = new Set([
  'epochs',
  'backend',
  'workers',
  'dataDir',
  'download',
  'json',
  'quiet',
  'out',
  'resume',
  'force',
  'allowLarge',
]);
/** Options that only shape output, not the run (not saved in config.json). */
const NOT_SAVED = new Set(['json', 'quiet', 'resume', 'out', 'force', 'allowLarge', 'workers']);

/** Checks the options a run saved in its config.json like a config file's (bin.ts); returns the parsed values. */
export type SavedOptionsCheck = (saved: Record<string, unknown>, origin: string) => Record<string, unknown>;

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundTerms(terms: Record<string, number | undefined>): Record<string, number> {
  const rounded: Record<string, number> = {};
  for (const [key, value] of Object.entries(terms)) if (value !== undefined) rounded[key] = round(value);
  return rounded;
}

/**
 * Reads the config.json of a run to resume, checks its saved options like a config file's (exit code 2 for a bad
 * value) and merges the options `--resume` may change.
 */
async function resumeOptions(
  options: TrainOptions,
  given: Set<string>,
  check: SavedOptionsCheck,
): Promise<TrainOptions> {
  const directory = resolve(typeof options.resume === 'string' ? options.resume : options.out);
  if (typeof options.resume === 'string' && given.has('out') && resolve(options.out) !== directory) {
    throw new CliError(
      `--resume ${options.resume} continues that run in place; drop --out ${options.out}.`,
      EXIT.usage,
    );
  }
  const changed = [...given].filter((key) => !RESUME_OVERRIDES.has(key));
  if (changed.length) {
    const flags = changed.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new CliError(
      `--resume continues with the run's saved config; ${flags} cannot change. Drop ${flags}, or start a new run.`,
      EXIT.usage,
    );
  }
  const configPath = join(directory, 'config.json');
  if (!existsSync(configPath)) {
    throw new CliError(
      `no run to resume in ${directory} (config.json is missing); pass the --out directory of a \`vae train\` run.`,
    );
  }
  const saved = (await readJsonFile(configPath, { what: 'the config.json of a `vae train` run' })) as {
    options?: unknown;
  };
  if (!saved || typeof saved !== 'object' || !saved.options || typeof saved.options !== 'object') {
    throw new CliError(`${configPath} has no options; it is not the config.json of a \`vae train\` run.`);
  }
  const checked = check(saved.options as Record<string, unknown>, configPath) as Partial<TrainOptions>;
  if (!existsSync(join(directory, 'checkpoint', 'checkpoint.json'))) {
    throw new CliError(
      `no checkpoint in ${join(directory, 'checkpoint')} to resume from; train without --resume.`,
    );
  }
  return {
    ...(checked as TrainOptions),
    epochs: given.has('epochs') ? options.epochs : (checked.epochs ?? options.epochs),
    backend: given.has('backend') ? options.backend : (checked.backend ?? options.backend),
    workers: options.workers,
    dataDir: options.dataDir ?? checked.dataDir,
    download: options.download,
    json: options.json,
    quiet: options.quiet,
    force: options.force,
    allowLarge: options.allowLarge,
    out: directory,
    resume: true,
  };
}

/** Refuses training steps with more rows than CAPS.rowsPerStep (batch x samples of z x IWAE's k). */
function checkRowsPerStep(options: TrainOptions): void {
  const rows = options.batchSize * (options.samples ?? 1) * (options.k ?? 1);
  const parts = [`--batch-size ${options.batchSize}`];
  if (options.samples !== undefined) parts.push(`--samples ${options.samples}`);
  if (options.k !== undefined) parts.push(`--k ${options.k}`);
  checkSize(options, parts.join(' x '), rows, CAPS.rowsPerStep, 'rows per training step');
}

/** `vae train`. `given` names the options set on the command line or in --config (not defaults). */
export async function train(
  requested: TrainOptions,
  given: Set<string> = new Set(),
  check: SavedOptionsCheck = (saved) => saved,
): Promise<number> {
  const started = performance.now();
  const options = requested.resume ? await resumeOptions(requested, given, check) : requested;
  const model = options.model ?? 'vae';
  if (!(model in MODEL_NAMES)) throw new CliError(`unknown model '${model}' in the saved config.`);
  checkModelOptions(options);
  checkRowsPerStep(options);
  if (options.labelled !== undefined && MODEL_NAMES[model] !== 'M2') {
    throw new CliError(
      `--labelled keeps only n labels for semi-supervised training, which --model m2 does; drop it for --model ${model}.`,
      EXIT.usage,
    );
  }
  if (!options.resume) {
    checkModelSize({ ...options, model }, '--hidden, --latent-dim and --filters');
  }
  const klSchedule = klScheduleOf(options);
  const epochs = testCap('VAE_CLI_TEST_EPOCHS', options.epochs);
  const out = await prepareOutputFolder(options.out, 'train', { force: options.force });
  const checkpointDir = join(out, 'checkpoint');

  // Ctrl-C: the first stops training after the current batch and saves a checkpoint; a second one quits at once.
  const progress = createProgress({ quiet: options.quiet || options.json, stream: process.stderr });
  const interrupt = interruptOnSignals({ progress });

  let trained: AnyModel | undefined;
  let checkpoint: Checkpoint | undefined;
  try {
    const backend = await selectBackend(options.backend);
    const sources = { ...options, onMessage: (m: string) => progress.log(m) };
    const trainData = await loadSplit(options.dataset, 'train', { ...sources, limit: options.limit });
    const testData = await loadSplit(options.dataset, 'test', { ...sources, limit: options.testLimit });
    // M2 with few labels: every training image, only `labelled` of them (balanced per class) with their label.
    let fitData: ImageDataset | ReturnType<typeof semiSupervisedSource> = trainData;
    if (options.labelled !== undefined) {
      if (!trainData.labels) {
        throw new CliError(
          `--labelled needs labels, and ${options.dataset} has none; pick a labelled data set.`,
        );
      }
      const kept = balancedLabelSubset(trainData.labels, options.labelled, options.seed);
      fitData = semiSupervisedSource(trainData, kept);
      progress.log(
        `labels: ${kept.length} of ${trainData.size} training images keep theirs (balanced per class, ` +
          `each seen ${fitData.repeats}x per epoch); the other ${fitData.unlabelledCount} train unlabelled`,
      );
    }

    let epochEntries: EpochEntry[] = [];
    if (options.resume) {
      let loaded: Awaited<ReturnType<typeof loadCheckpointFromDirectory>>;
      try {
        loaded = await loadCheckpointFromDirectory(checkpointDir);
      } catch (error) {
        throw new CliError(`cannot read the checkpoint in ${checkpointDir}: ${(error as Error).message}`);
      }
      if (!loaded)
        throw new CliError(`no checkpoint in ${checkpointDir} to resume from; train without --resume.`);
      trained = loaded.model as AnyModel;
      checkpoint = loaded.checkpoint;
      if (trained.className !== MODEL_NAMES[model]) {
        throw new CliError(`the checkpoint holds a ${trained.className}, but config.json says ${model}.`);
      }
      const state = checkpoint.state;
      try {
        const previous = (await readJsonFile(join(out, 'metrics.json'), {
          what: 'the metrics.json of a `vae train` run',
        })) as {
          epochs?: unknown;
        };
        epochEntries = (Array.isArray(previous.epochs) ? previous.epochs : []).filter(
          (e: EpochEntry) => e && typeof e.epoch === 'number' && e.epoch < state.epoch,
        );
      } catch {
        epochEntries = [];
      }
      progress.log(
        `vae train: resuming ${model} in ${out} at epoch ${state.epoch}` +
          (state.batch ? `, batch ${state.batch + 1}` : '') +
          ` of ${epochs}, backend ${backend}`,
      );
    } else {
      progress.log(
        `vae train: ${model} on ${datasetTitle(options.dataset)}, backend ${backend}, output ${out}`,
      );
      const config = modelConfigOf(
        options,
        {
          inputShape: [...trainData.itemShape],
          classes: trainData.labels
            ? (trainData.classNames?.length ?? Math.max(...trainData.labels) + 1)
            : undefined,
        },
        options.seed,
      );
      trained = buildModel(model, config);
    }
    progress.log(
      `data: ${trainData.size} training and ${testData.size} test images of ${trainData.itemShape.join('x')}`,
    );
    const net = trained;
    // Refused before the run writes anything more: the library says why shards would train another model.
    const obstacle =
      options.workers !== undefined && options.workers !== 1
        ? ((net as { dataParallelObstacle?(k?: typeof klSchedule): string | null }).dataParallelObstacle?.(
            klSchedule,
          ) ?? null)
        : null;
    if (obstacle) {
      throw new CliError(
        `--workers: ${model} cannot train with workers: ${obstacle}. Drop --workers.`,
        EXIT.usage,
      );
    }

    const repeatable = Object.fromEntries(
      Object.entries({ ...options, model }).filter(
        ([key, value]) => value !== undefined && !NOT_SAVED.has(key),
      ),
    );
    const resolved = {
      command: 'train',
      // `vae train --config <this file>` repeats the run: the options are read back from here.
      options: repeatable,
      model,
      modelClass: net.className,
      modelConfig: net.config,
      klSchedule: klSchedule ?? null,
      dataset: options.dataset,
      trainExamples: trainData.size,
      testExamples: testData.size,
      epochs,
      batchSize: options.batchSize,
      learningRate: options.lr,
      optimizer: 'adam(beta1=0.9, beta2=0.999, epsilon=1e-8)',
      seed: options.seed,
      backend,
      checkpoint: 'checkpoint/',
      versions: { tfjs: tf.version_core },
    };
    await writeFileAtomic(join(out, 'config.json'), `${JSON.stringify(resolved, null, 2)}\n`);

    const writeMetrics = (extra: Record<string, unknown> = {}) =>
      writeFileAtomic(
        join(out, 'metrics.json'),
        `${JSON.stringify({ model, epochs: epochEntries, ...extra }, null, 2)}\n`,
      );
    const history = await net
      .fit(fitData, {
        epochs,
        batchSize: options.batchSize,
        learningRate: options.lr,
        seed: options.seed,
        signal: interrupt.signal,
        klSchedule,
        workers:
          options.workers === undefined
            ? undefined
            : { count: options.workers, setup: workerBackendModule(backend) ?? undefined },
        resumeFrom: checkpoint,
        checkpoint: { handler: checkpointDirectory(checkpointDir), every: 1 },
        ...epochProgress(
          progress,
          epochs,
          async (record: EpochRecord) => {
            if (record.partial) return; // interrupted: the resumed run finishes this epoch
            const test = await testTerms(net, testData, options.seed + record.epoch);
            const testError = await classifierTestError(net, testData);
            const trainTerms = isProbabilistic(net)
              ? { loss: record.train.total, reconstruction: record.train.reconstruction, kl: record.train.kl }
              : {
                  loss: record.train.total,
                  reconstruction: record.train.reconstruction,
                  regularizer: record.train.regularizer,
                };
            const entry: EpochEntry = {
              epoch: record.epoch,
              trainLoss: round(record.train.total),
              testLoss: round(test.loss),
              train: roundTerms(trainTerms),
              test: roundTerms(test as unknown as Record<string, number>),
              ...(testError === undefined ? {} : { testError: round(testError) }),
              seconds: round(record.seconds, 2),
              imagesPerSecond: Math.round(record.examplesPerSecond),
            };
            epochEntries.push(entry);
            await writeMetrics();
            const second =
              test.kl !== undefined
                ? `, KL ${test.kl.toFixed(2)}`
                : test.regularizer
                  ? `, regularizer ${test.regularizer.toFixed(4)}`
                  : '';
            progress.log(
              `epoch ${record.epoch}/${epochs}: train loss ${entry.trainLoss.toFixed(2)}, test loss ` +
                `${entry.testLoss.toFixed(2)} (reconstruction ${test.reconstruction.toFixed(2)}${second}) per image, ` +
                (testError === undefined ? '' : `test error ${(100 * testError).toFixed(2)} %, `) +
                `${entry.seconds.toFixed(1)} s, ${entry.imagesPerSecond} images/s`,
            );
          },
          interrupt.signal,
        ),
      })
      .catch((error: unknown) => {
        if (error instanceof NonFiniteLossError) throw new CliError(error.message.split('\n')[0]);
        throw error;
      })
      .finally(() => {
        progress.stop();
        checkpoint?.dispose();
        checkpoint = undefined;
      });
    interrupt.dispose();

    if (history.aborted) {
      await writeMetrics();
      net.dispose();
      trained = undefined;
      const line =
        `interrupted after ${epochEntries.length} full epoch${epochEntries.length === 1 ? '' : 's'}: ` +
        `checkpoint saved in ${checkpointDir}; resume with: vae train --resume ${out}`;
      process.stderr.write(`${line}\n`);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ out, interrupted: true, checkpoint: checkpointDir }, null, 2)}\n`,
        );
      }
      return EXIT.interrupted;
    }

    await saveModelToDirectory(net, join(out, 'model'));
    const final = await testTerms(net, testData, options.seed);
    const finalTestError = await classifierTestError(net, testData);
    const totalSeconds = (performance.now() - started) / 1000;
    const metrics = {
      epochs: epochEntries,
      final: {
        model,
        testLoss: round(final.loss),
        testReconstruction: round(final.reconstruction),
        ...(final.kl !== undefined
          ? { testKl: round(final.kl) }
          : { testRegularizer: round(final.regularizer ?? 0) }),
        ...(finalTestError === undefined ? {} : { testError: round(finalTestError) }),
        trainLoss: epochEntries.length ? epochEntries[epochEntries.length - 1].trainLoss : null,
        epochsCompleted: history.epochs.length,
        interrupted: false,
        seconds: round(totalSeconds, 2),
      },
    };
    await writeMetrics({ final: metrics.final });
    const files = await buildReport(net, testData as ImageDataset, metrics, resolved, {
      seed: options.seed,
      dataset: options.dataset,
    });
    for (const [name, contents] of Object.entries(files)) {
      // PNGs carry `Software: vae train`, so that `vae sample --out` and the like know them as the CLI's own
      const bytes =
        name.endsWith('.png') && typeof contents !== 'string' ? tagPng(contents, 'train') : contents;
      await writeFileAtomic(join(out, name), bytes);
    }
    net.dispose();
    trained = undefined;

    if (options.json) {
      process.stdout.write(`${JSON.stringify({ out, ...metrics.final }, null, 2)}\n`);
    } else {
      const terms =
        final.kl !== undefined
          ? `reconstruction ${final.reconstruction.toFixed(2)}, KL ${final.kl.toFixed(2)}`
          : `reconstruction ${final.reconstruction.toFixed(2)}, regularizer ${(final.regularizer ?? 0).toFixed(4)}`;
      progress.log(
        `test loss ${final.loss.toFixed(2)} per image (${terms}) after ${history.epochs.length} epochs, ` +
          (finalTestError === undefined
            ? ''
            : `test error ${(100 * finalTestError).toFixed(2)} % (M2's classifier q(y|x)), `) +
          `${totalSeconds.toFixed(0)} s`,
      );
      progress.log(
        `wrote ${join(out, 'report.html')} (open it in a browser), model/, checkpoint/, metrics.json, figures`,
      );
    }
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    checkpoint?.dispose();
    trained?.dispose();
  }
}

/** M2's test error: the share of labelled test images its classifier q(y|x) gets wrong; undefined for other models. */
async function classifierTestError(model: AnyModel, data: ImageDataset): Promise<number | undefined> {
  if (!(model instanceof M2) || !data.labels) return undefined;
  return 1 - (await model.accuracy(data));
}
