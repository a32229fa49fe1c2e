/**
 * What the Node and browser loaders share: checking the bytes they found against the catalog's checksums (with
 * errors that name the file, what was expected, what was found and the fix), and assembling data sets.
 */
import type {
  CifarDatasetInfo,
  DatasetInfo,
  FreyFaceDatasetInfo,
  IdxDatasetInfo,
  IdxFile,
  Split,
  SplitName,
} from './catalog';
import { cifarDataset, cifarFilesFromTar } from './cifar';
import { freyFaceDataset, freyFaceFromIdx, freyFaceFromMat } from './frey-face';
import { type IdxArray, parseIdx } from './idx';
import { ImageDataset } from './image-dataset';
import {
  type ByteLimit,
  CATALOG_SLACK_BYTES,
  checkMaxBytes,
  DEFAULT_MAX_BYTES,
  type DownloadTimeouts,
  downloadTimeouts,
  formatBytes,
  inflateLimited,
  readStreamLimited,
  TooLargeError,
  userLimit,
} from './limits';

/** Computes a hex SHA-256 (synchronously in Node, with SubtleCrypto in browsers). */
export type Hasher = (bytes: Uint8Array) => string | Promise<string>;

/** SHA-256 (hex) with SubtleCrypto (browsers, Node >= 20, workers): core's `sha256Hex`, the one owner. */
export { sha256Hex } from '@vae/core';

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Options of `gunzip`. */
export interface GunzipOptions {
  /**
   * The most bytes the output may hold: a gzip bomb fails as soon as it passes this, having inflated about this
   * much. Default 1 GiB.
   */
  maxBytes?: number;
}

/**
 * Decompresses gzip bytes (the platform's DecompressionStream where there is one, else a JavaScript inflater),
 * stopping with an error that names the file and the limit as soon as the output passes `maxBytes` (default 1 GiB).
 */
export async function gunzip(
  bytes: Uint8Array,
  file = 'gzip data',
  options: GunzipOptions = {},
): Promise<Uint8Array> {
  const maxBytes = checkMaxBytes(options.maxBytes, DEFAULT_MAX_BYTES, 'gunzip');
  return gunzipLimited(bytes, file, userLimit(maxBytes, "gunzip's output", '{ maxBytes } to gunzip'));
}

/** `gunzip` with a limit that carries its own words (the loaders pass the catalog size of the file). */
export async function gunzipLimited(bytes: Uint8Array, file: string, limit: ByteLimit): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    throw new Error(
      `${file} is not gzip-compressed (no gzip magic number); check the file or drop the .gz suffix.`,
    );
  }
  try {
    if (typeof DecompressionStream === 'function') {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
        .stream()
        .pipeThrough(new DecompressionStream('gzip'));
      return await readStreamLimited(stream, file, 'decompresses to', limit);
    }
    return inflateLimited(bytes, 'gzip', file, limit);
  } catch (error) {
    if (error instanceof TooLargeError) throw error;
    throw new Error(
      `${file} is not a valid gzip file (${(error as Error).message}): it is truncated or corrupt. ` +
        'Delete it and download it again.',
    );
  }
}

/**
 * The size limits of a known data set's file, from the catalog: `found` for the file as read or downloaded (its
 * catalog size plus 1 MiB of slack), `content` for its decompressed content (exactly its catalog size: no genuine
 * copy is larger). No option raises them: a larger file cannot pass its checksum.
 */
export interface CatalogLimits {
  found: ByteLimit;
  content: ByteLimit;
}

function catalogLimit(what: string, bytes: number, slack: boolean, fix: string): ByteLimit {
  return {
    maxBytes: bytes + (slack ? CATALOG_SLACK_BYTES : 0),
    what,
    basis: slack ? 'its size in the catalog plus 1 MiB' : 'its size in the catalog',
    fix: slack ? `it is not that file; ${fix}` : `it is not that file, or it is a decompression bomb; ${fix}`,
  };
}

/** Limits of an IDX file (`compressed`: as found with `.gz`). */
export function idxLimits(
  info: IdxDatasetInfo,
  file: IdxFile,
  compressed: boolean,
  fix: string,
): CatalogLimits {
  const found = compressed ? (file.gzip?.bytes ?? file.bytes) : file.bytes;
  return {
    found: catalogLimit(`${file.name}${compressed ? '.gz' : ''} of ${info.title}`, found, true, fix),
    content: catalogLimit(`${file.name} of ${info.title}`, file.bytes, false, fix),
  };
}

/** Frey Face files (the .mat may store the pixels as doubles: 8.8 MB) are at most 16 MiB. */
export const FREY_FACE_MAX_FILE_BYTES = 16 * 1024 ** 2;

/** Limits of a Frey Face file: the file as found (16 MiB), and a gzipped IDX copy's content (its exact size). */
export function freyFaceLimits(info: FreyFaceDatasetInfo, fix: string): CatalogLimits {
  const [height, width] = info.itemShape;
  const idxBytes = 16 + (info.examples.train + info.examples.test) * height * width;
  return {
    found: {
      maxBytes: FREY_FACE_MAX_FILE_BYTES,
      what: `a ${info.title} file`,
      basis: '1965 frames of 28 x 20 pixels, even as doubles in a .mat',
      fix: `it is not a ${info.title} file; ${fix}`,
    },
    content: catalogLimit(`${info.files.idx} of ${info.title}`, idxBytes, false, fix),
  };
}

/** Limits of the CIFAR-10 archive: as found (its catalog size plus 1 MiB) and as a tar (its batch files plus 1 MiB). */
export function cifarLimits(info: CifarDatasetInfo, fix: string): CatalogLimits & { member: ByteLimit } {
  const members = info.members.train.length + info.members.test.length;
  return {
    found: catalogLimit(info.archive.name, info.archive.bytes, true, fix),
    content: {
      maxBytes: members * info.memberBytes + CATALOG_SLACK_BYTES,
      what: `the tar inside ${info.archive.name}`,
      basis: `its ${members} batch files of ${formatBytes(info.memberBytes)} in the catalog, plus 1 MiB`,
      fix: `it is not that archive, or it is a decompression bomb; ${fix}`,
    },
    member: catalogLimit(`a ${info.title} batch file`, info.memberBytes, true, fix),
  };
}

/** The error for bytes whose checksum does not match. */
export function checksumError(
  where: string,
  actual: string,
  expected: string,
  what: string,
  fix: string,
): Error {
  return new Error(
    `${where} failed its checksum: SHA-256 of ${what} is ${actual}, expected ${expected}. ` +
      `The file is corrupt or a different version; ${fix}`,
  );
}

/**
 * Verifies an IDX file's uncompressed bytes against the catalog and parses it. For a file known only by the checksum
 * of its gzipped original, use `verifiedIdxFile` with the bytes as found.
 */
export async function verifiedIdx(
  file: IdxFile,
  content: Uint8Array,
  where: string,
  hash: Hasher,
  options: { compressed: boolean; fix: string },
): Promise<IdxArray> {
  if (file.sha256 === undefined) throw uncompressedUnverifiable(file, where);
  const actual = await hash(content);
  if (actual !== file.sha256) {
    throw checksumError(
      where,
      actual,
      file.sha256,
      options.compressed ? 'the decompressed content' : 'the content',
      options.fix,
    );
  }
  return parseIdx(content, where);
}

function uncompressedUnverifiable(file: IdxFile, where: string): Error {
  return new Error(
    `${where} cannot be verified: only the SHA-256 of the gzipped original ${file.name}.gz is published for this ` +
      `data set. Put ${file.name}.gz (as downloaded) there instead of the uncompressed file.`,
  );
}

/**
 * Verifies an IDX file as found (`bytes`, gzipped when `compressed`) and parses it: a file with a checksum of its
 * gzipped original is checked before decompression, one with a checksum of its content after. Returns the parsed
 * array and the uncompressed content.
 */
export async function verifiedIdxFile(
  file: IdxFile,
  bytes: Uint8Array,
  where: string,
  hash: Hasher,
  options: {
    compressed: boolean;
    fix: string;
    decompress: (bytes: Uint8Array, where: string) => Uint8Array | Promise<Uint8Array>;
  },
): Promise<{ idx: IdxArray; content: Uint8Array }> {
  if (options.compressed && file.gzip) {
    const actual = await hash(bytes);
    if (actual !== file.gzip.sha256) {
      throw checksumError(where, actual, file.gzip.sha256, 'the gzip file', options.fix);
    }
    const content = await options.decompress(bytes, where);
    if (file.sha256 !== undefined)
      return { idx: await verifiedIdx(file, content, where, hash, options), content };
    return { idx: parseIdx(content, where), content };
  }
  const content = options.compressed ? await options.decompress(bytes, where) : bytes;
  return { idx: await verifiedIdx(file, content, where, hash, options), content };
}

/** The pixels of a Frey Face file (a .mat when `where` ends in .mat, else IDX; uncompressed), verified by their SHA-256. */
export async function verifiedFreyFacePixels(
  info: FreyFaceDatasetInfo,
  content: Uint8Array,
  where: string,
  hash: Hasher,
  fix: string,
): Promise<Uint8Array> {
  // By name, not by content: a damaged IDX copy is then reported as a bad IDX file, not as a bad .mat.
  const idx = !/\.mat$/i.test(where);
  const { pixels } = idx ? freyFaceFromIdx(content, where) : freyFaceFromMat(content, where);
  const actual = await hash(pixels);
  if (actual !== info.pixelsSha256) {
    throw checksumError(where, actual, info.pixelsSha256, 'its 1965 x 28 x 20 pixels', fix);
  }
  return pixels;
}

/** Verifies the CIFAR-10 archive (as downloaded, gzipped) and returns its batch files for a split. */
export async function verifiedCifarArchive(
  info: CifarDatasetInfo,
  archive: Uint8Array,
  where: string,
  hash: Hasher,
  decompress: (bytes: Uint8Array, where: string) => Uint8Array | Promise<Uint8Array>,
  fix: string,
): Promise<Uint8Array> {
  const actual = await hash(archive);
  if (actual !== info.archive.sha256) {
    throw checksumError(where, actual, info.archive.sha256, 'the archive', fix);
  }
  return decompress(archive, where);
}

/** The `ImageDataset` of one split of an IDX data set from its parsed images and labels. */
export function idxDataset(
  info: IdxDatasetInfo,
  split: Split,
  images: IdxArray,
  labels: IdxArray,
): ImageDataset {
  return ImageDataset.fromIdx(images, labels, { name: `${info.name}/${split}`, classNames: info.classNames });
}

/** One split of Frey Face from all its pixels (train: all but the last `testFrames` frames; test: those). */
export function freyFaceSplit(info: FreyFaceDatasetInfo, pixels: Uint8Array, split: Split): ImageDataset {
  const frame = info.itemShape[0] * info.itemShape[1];
  const cut = pixels.length - info.testFrames * frame;
  const part = split === 'train' ? pixels.subarray(0, cut) : pixels.subarray(cut);
  return freyFaceDataset(part, { name: `${info.name}/${split}` });
}

/** One split of CIFAR-10 from an uncompressed archive. */
export function cifarSplitFromTar(
  info: CifarDatasetInfo,
  tar: Uint8Array,
  split: Split,
  where: string,
): ImageDataset {
  return cifarDataset(cifarFilesFromTar(tar, split, where), {
    name: `${info.name}/${split}`,
    expectedRecords: info.memberBytes / 3073,
  });
}

/** Examples of `a` followed by those of `b` (copies the bytes). */
export function concatDatasets(a: ImageDataset, b: ImageDataset, name: string): ImageDataset {
  if (a.itemShape.join() !== b.itemShape.join()) {
    throw new Error(`${name}: cannot join images of [${a.itemShape}] and [${b.itemShape}].`);
  }
  const images = new Uint8Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  let labels: Uint8Array | undefined;
  if (a.labels && b.labels) {
    labels = new Uint8Array(a.size + b.size);
    labels.set(a.labels);
    labels.set(b.labels, a.size);
  }
  return new ImageDataset({
    images,
    labels,
    shape: [a.size + b.size, ...a.itemShape],
    name,
    classNames: a.classNames,
  });
}

/** Checks the options every loader shares and returns the split and limit. */
export function checkLoadOptions(options: { split?: string; limit?: number } & DownloadTimeouts): {
  split: SplitName;
  limit?: number;
} {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new Error(`unknown split '${split}'; use 'train', 'test' or 'all'.`);
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new Error(`limit must be a positive integer, got ${options.limit}.`);
  }
  downloadTimeouts(options, 'loadDataset');
  return { split, limit: options.limit };
}

/** Loads a split, or both ('all', train then test), then applies the limit. */
export async function loadSplits(
  info: DatasetInfo,
  split: SplitName,
  limit: number | undefined,
  load: (split: Split) => Promise<ImageDataset>,
): Promise<ImageDataset> {
  let dataset: ImageDataset;
  if (split === 'all') {
    const train = await load('train');
    dataset =
      limit !== undefined && limit <= train.size
        ? train
        : concatDatasets(train, await load('test'), `${info.name}/all`);
  } else {
    dataset = await load(split);
  }
  return limit !== undefined ? dataset.take(limit) : dataset;
}
