import { join } from 'node:path';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import { prepareOutputFile, readJsonFile, writeOutputFile } from '../files';
import { RANGES } from '../parse';
import { buildReport, type RunMetrics } from '../report';
import { datasetOf, loadSplit, loadTrainedModel } from '../shared';

export interface ReportOptions {
  out?: string;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  quiet: boolean;
  force?: boolean;
}

/** `vae report <run>`: the HTML report of a saved `vae train` run (metrics, curves, figures), made again. */
export async function report(path: string, options: ReportOptions): Promise<number> {
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(path);
  const { model, run, runDirectory } = trained;
  try {
    if (!runDirectory || !run) {
      throw new CliError(
        `${path} has no config.json beside the model; pass the --out directory of a \`vae train\` run.`,
      );
    }
    let metrics: RunMetrics;
    try {
      metrics = (await readJsonFile(join(runDirectory, 'metrics.json'), {
        what: 'the metrics.json of a `vae train` run',
      })) as RunMetrics;
    } catch {
      throw new CliError(
        `no metrics.json in ${runDirectory}; the run did not finish, or it is not a \`vae train\` run.`,
      );
    }
    if (!metrics || !Array.isArray(metrics.epochs))
      throw new CliError(`${join(runDirectory, 'metrics.json')} has no epochs.`);
    const out = await prepareOutputFile(options.out ?? join(runDirectory, 'report.html'), 'html', options);
    const dataset = datasetOf(trained);
    // the saved --test-limit, when it is one (the file may have been edited)
    const saved = run.options?.testLimit;
    const testLimit =
      Number.isSafeInteger(saved) &&
      (saved as number) >= RANGES.limit.min &&
      (saved as number) <= RANGES.limit.max
        ? (saved as number)
        : undefined;
    const testData = await loadSplit(dataset, 'test', { ...options, limit: testLimit });
    const seed = typeof run.seed === 'number' ? run.seed : 1;
    const files = await buildReport(model, testData, metrics, run, { seed, dataset });
    await writeOutputFile(out, files['report.html'], 'html', options);
    if (!options.quiet) process.stderr.write(`wrote ${out} (${metrics.epochs.length} epochs)\n`);
  } finally {
    model.dispose();
  }
  return 0;
}
