/**
 * CIFAR-10 in its binary version (`cifar-10-binary.tar.gz`): files `data_batch_1.bin` .. `data_batch_5.bin` (train)
 * and `test_batch.bin` (test), each a sequence of 3073-byte records: one label byte (0-9), then the 32x32 image as
 * 1024 red, 1024 green and 1024 blue bytes, each channel row-major. Images are converted to HWC (RGB per pixel).
 */
import { ImageDataset } from './image-dataset';
import { readTar } from './tar';

export const CIFAR_IMAGE_SIZE = 32;
/** Bytes per record: 1 label + 3 * 32 * 32 pixels. */
export const CIFAR_RECORD_BYTES = 3073;
/** Records per batch file of the official release. */
export const CIFAR_BATCH_RECORDS = 10000;
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
export const CIFAR10_TEST_FILES = ['test_batch.bin'] as const;
export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** Images (HWC bytes) and labels of CIFAR records. */
export interface CifarBatch {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Parses one or more CIFAR-10 binary batch files into HWC images and labels. `expectedRecords` (e.g. 10000 for
 * the official files) turns a short file into an error that says so.
 */
export function parseCifarBatches(
  files: ReadonlyArray<{ name: string; bytes: Uint8Array }>,
  options: { expectedRecords?: number } = {},
): CifarBatch {
  let count = 0;
  for (const { name, bytes } of files) {
    if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
      throw new Error(
        `${name} is not a CIFAR-10 binary batch: ${bytes.length} bytes is not a whole number of ` +
          `${CIFAR_RECORD_BYTES}-byte records (the official files hold ${CIFAR_BATCH_RECORDS} records, ` +
          `${CIFAR_BATCH_RECORDS * CIFAR_RECORD_BYTES} bytes). The file is truncated or of another format ` +
          '(the Python or MATLAB version); use the binary version, cifar-10-binary.tar.gz.',
      );
    }
    const records = bytes.length / CIFAR_RECORD_BYTES;
    if (options.expectedRecords !== undefined && records !== options.expectedRecords) {
      throw new Error(
        `${name} holds ${records} records, expected ${options.expectedRecords} ` +
          `(${options.expectedRecords * CIFAR_RECORD_BYTES} bytes). The file is truncated; download it again.`,
      );
    }
    count += records;
  }
  const pixels = CIFAR_IMAGE_SIZE * CIFAR_IMAGE_SIZE;
  const images = new Uint8Array(count * pixels * 3);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const { name, bytes } of files) {
    for (let start = 0; start < bytes.length; start += CIFAR_RECORD_BYTES, n++) {
      const label = bytes[start];
      if (label > 9) {
        throw new Error(
          `${name} is not a CIFAR-10 binary batch: record ${start / CIFAR_RECORD_BYTES} has label ${label}, ` +
            'expected 0-9 (CIFAR-100 files have two label bytes per record and are not supported here).',
        );
      }
      labels[n] = label;
      const target = n * pixels * 3;
      const red = start + 1;
      for (let p = 0; p < pixels; p++) {
        const t = target + 3 * p;
        images[t] = bytes[red + p];
        images[t + 1] = bytes[red + pixels + p];
        images[t + 2] = bytes[red + 2 * pixels + p];
      }
    }
  }
  return { images, labels, count };
}

/** An `ImageDataset` ([32, 32, 3] images with labels) from CIFAR-10 binary batch files. */
export function cifarDataset(
  files: ReadonlyArray<{ name: string; bytes: Uint8Array }>,
  options: { name?: string; expectedRecords?: number } = {},
): ImageDataset {
  const { images, labels, count } = parseCifarBatches(files, options);
  return new ImageDataset({
    images,
    labels,
    shape: [count, CIFAR_IMAGE_SIZE, CIFAR_IMAGE_SIZE, 3],
    name: options.name ?? 'cifar-10',
    classNames: CIFAR10_CLASS_NAMES,
  });
}

/**
 * The batch files of one split from an (uncompressed) CIFAR-10 binary tar archive, by base name. Throws, naming the
 * archive and the missing member, when one is absent.
 */
export function cifarFilesFromTar(
  tar: Uint8Array,
  split: 'train' | 'test',
  archive = 'cifar-10-binary.tar',
): Array<{ name: string; bytes: Uint8Array }> {
  const entries = readTar(tar, archive);
  const wanted = split === 'train' ? CIFAR10_TRAIN_FILES : CIFAR10_TEST_FILES;
  return wanted.map((base) => {
    const entry = entries.find((e) => e.type === 'file' && (e.name === base || e.name.endsWith(`/${base}`)));
    if (!entry) {
      throw new Error(
        `${archive} has no ${base} (found: ${entries.map((e) => e.name).join(', ') || 'nothing'}); ` +
          'expected the CIFAR-10 binary version, cifar-10-binary.tar.gz.',
      );
    }
    return { name: `${archive}:${entry.name}`, bytes: entry.data };
  });
}
