import { DATASET_NAMES, datasetInfo } from '@vae/data';
import { defaultCacheDir, localSources } from '@vae/data/node';
import { CliError, EXIT } from '../errors';
import { cliDirectory, loadSplit } from '../shared';

/** `vae datasets list|verify|fetch [name]`. */
export async function datasets(
  action: string,
  name: string | undefined,
  options: { dataDir?: string; download: boolean; json: boolean },
): Promise<number> {
  if (name !== undefined && !(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new CliError(`unknown data set '${name}'; choose one of ${DATASET_NAMES.join(', ')}.`, EXIT.usage);
  }
  const names = name ? [name] : DATASET_NAMES;
  if (action === 'list') {
    const rows = names.map((n) => ({
      name: n,
      title: datasetInfo(n).title,
      sources: localSources(n, { packageSearchPaths: [process.cwd(), cliDirectory] }),
    }));
    if (options.json)
      process.stdout.write(`${JSON.stringify({ cache: defaultCacheDir(), datasets: rows }, null, 2)}\n`);
    else {
      for (const row of rows) process.stdout.write(`${row.name.padEnd(14)} ${row.title}\n`);
      process.stdout.write(`cache: ${defaultCacheDir()} (set VAE_DATA_DIR to move it)\n`);
    }
    return 0;
  }
  if (action !== 'verify' && action !== 'fetch') {
    throw new CliError(`unknown action '${action}'; use list, verify or fetch.`, EXIT.usage);
  }
  // verify: only local copies; fetch: download what is missing into the cache
  const download = action === 'fetch' && options.download;
  let failures = 0;
  for (const n of names) {
    for (const split of ['train', 'test'] as const) {
      try {
        const data = await loadSplit(n, split, { dataDir: options.dataDir, download });
        process.stdout.write(`${n}/${split}: ok, ${data.size} examples, checksums verified\n`);
      } catch (error) {
        failures += 1;
        process.stdout.write(`${n}/${split}: ${(error as Error).message}\n`);
      }
    }
  }
  return failures ? 1 : 0;
}
