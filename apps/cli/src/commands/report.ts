import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@vae/core/node';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import { buildReport, type RunMetrics } from '../report';
import { checkWritableFile, datasetOf, loadSplit, loadTrainedModel } from '../shared';

export interface ReportOptions {
  out?: string;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  quiet: boolean;
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
      metrics = JSON.parse(await readFile(join(runDirectory, 'metrics.json'), 'utf8'));
    } catch {
      throw new CliError(
        `no metrics.json in ${runDirectory}; the run did not finish, or it is not a \`vae train\` run.`,
      );
    }
    if (!Array.isArray(metrics.epochs))
      throw new CliError(`${join(runDirectory, 'metrics.json')} has no epochs.`);
    const out = await checkWritableFile(options.out ?? join(runDirectory, 'report.html'));
    const dataset = datasetOf(trained);
    const testLimit = run.options?.testLimit as number | undefined;
    const testData = await loadSplit(dataset, 'test', { ...options, limit: testLimit });
    const seed = typeof run.seed === 'number' ? run.seed : 1;
    const files = await buildReport(model, testData, metrics, run, { seed, dataset });
    await writeFileAtomic(out, files['report.html']);
    if (!options.quiet) process.stderr.write(`wrote ${out} (${metrics.epochs.length} epochs)\n`);
  } finally {
    model.dispose();
  }
  return 0;
}
