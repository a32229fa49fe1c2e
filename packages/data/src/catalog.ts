/**
 * The data sets we know: their files, published checksums and public mirrors.
 *
 * - IDX data sets (MNIST, Fashion-MNIST): the SHA-256 of each file's uncompressed bytes, so a file is verified the
 *   same way whether it arrives gzipped or not; mirrors serve the gzipped originals.
 * - Frey Face: no checksum of the original `frey_rawface.mat` was ever published, and copies differ in their
 *   header text, so what is verified is the SHA-256 of the 1965 x 28 x 20 pixels, whichever file they come from.
 * - KMNIST: its authors publish no checksums of the uncompressed files; what other loaders pin (torchvision's
 *   prototype datasets, torch.rb, each with the same values) is the SHA-256 of the four gzipped originals, so KMNIST
 *   files are verified as gzip files, and the cache keeps them gzipped.
 * - CIFAR-10: the SHA-256 (and the MD5 the authors publish) of the official `cifar-10-binary.tar.gz`.
 */

/** The splits a data set's files come in. */
export type Split = 'train' | 'test';
/** A split to load: one of the data set's splits, or 'all' (train then test). */
export type SplitName = Split | 'all';

export interface DatasetFile {
  /** File name (for IDX files: without `.gz`). */
  name: string;
  /** SHA-256 (hex) of the file (for IDX files: of the uncompressed file). */
  sha256: string;
  /** Size in bytes (for IDX files: uncompressed). */
  bytes: number;
}

interface DatasetBase {
  name: string;
  title: string;
  /** Shape of one image, [height, width, channels]. */
  itemShape: readonly [number, number, number];
  /** Number of examples per split. */
  examples: Readonly<Record<Split, number>>;
  /** Class names, indexed by label, for labelled data sets. */
  classNames?: readonly string[];
  license: string;
  /** Where the data set is described. */
  homepage: string;
}

/**
 * An IDX file: verified by the SHA-256 of its uncompressed bytes (`sha256`), or, for data sets whose checksums are
 * only known for the gzipped originals, by the SHA-256 of the `.gz` file (`gzip`), in which case an uncompressed copy
 * cannot be verified and is refused.
 */
export type IdxFile =
  | (DatasetFile & { gzip?: { sha256: string; bytes: number } })
  | { name: string; sha256?: undefined; bytes: number; gzip: { sha256: string; bytes: number } };

/** A data set stored as IDX files (images and labels per split). */
export interface IdxDatasetInfo extends DatasetBase {
  format: 'idx';
  files: Record<Split, { images: IdxFile; labels: IdxFile }>;
  /** Base URLs; a file is fetched from `${mirror}${name}.gz`. */
  mirrors: readonly string[];
  classNames: readonly string[];
}

/** Frey Face: one file (the original .mat or an IDX copy), verified by the SHA-256 of its pixels. */
export interface FreyFaceDatasetInfo extends DatasetBase {
  format: 'frey-face';
  /** File names, in order of preference: the IDX copy (gzipped or not), then the original .mat. */
  files: { idx: string; mat: string };
  /** SHA-256 of the 1965 x 28 x 20 pixel bytes, image-major (the IDX file's data, the .mat's `ff` column-major). */
  pixelsSha256: string;
  /** Checksums of known copies, for reference (the IDX file uncompressed; the .mat rebuilt with scipy). */
  knownFiles: readonly DatasetFile[];
  /** Base URLs of the original .mat (`${mirror}frey_rawface.mat`). */
  mirrors: readonly string[];
  /** The test split is the last `testFrames` frames (contiguous, so that near-identical neighbouring video frames
   * do not fall on both sides); train is the rest. There is no official split. */
  testFrames: number;
}

/** CIFAR-10, binary version: one tar.gz archive holding the batch files. */
export interface CifarDatasetInfo extends DatasetBase {
  format: 'cifar-binary';
  /** The archive, with the SHA-256 of the .tar.gz as downloaded, and the MD5 published on the data set's page. */
  archive: DatasetFile & { md5: string };
  /** Batch files per split (inside the archive, under `cifar-10-batches-bin/`). */
  members: Readonly<Record<Split, readonly string[]>>;
  /** Size of each batch file (10,000 records of 3073 bytes). */
  memberBytes: number;
  /** Base URLs; the archive is fetched from `${mirror}${archive.name}`. */
  mirrors: readonly string[];
  classNames: readonly string[];
}

export type DatasetInfo = IdxDatasetInfo | FreyFaceDatasetInfo | CifarDatasetInfo;

const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const DATASETS = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits',
    format: 'idx',
    itemShape: [28, 28, 1],
    examples: { train: 60000, test: 10000 },
    files: {
      train: {
        images: {
          name: 'train-images-idx3-ubyte',
          sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
          bytes: 47040016,
        },
        labels: {
          name: 'train-labels-idx1-ubyte',
          sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
          bytes: 60008,
        },
      },
      test: {
        images: {
          name: 't10k-images-idx3-ubyte',
          sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
          bytes: 7840016,
        },
        labels: {
          name: 't10k-labels-idx1-ubyte',
          sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
          bytes: 10008,
        },
      },
    },
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
    ],
    classNames: DIGIT_CLASSES,
    license: 'Yann LeCun, Corinna Cortes, Christopher J.C. Burges; commonly cited as CC BY-SA 3.0',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (Zalando)',
    format: 'idx',
    itemShape: [28, 28, 1],
    examples: { train: 60000, test: 10000 },
    files: {
      train: {
        images: {
          name: 'train-images-idx3-ubyte',
          sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
          bytes: 47040016,
        },
        labels: {
          name: 'train-labels-idx1-ubyte',
          sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
          bytes: 60008,
        },
      },
      test: {
        images: {
          name: 't10k-images-idx3-ubyte',
          sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
          bytes: 7840016,
        },
        labels: {
          name: 't10k-labels-idx1-ubyte',
          sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
          bytes: 10008,
        },
      },
    },
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    license: 'MIT, Copyright (c) 2017 Zalando SE',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
  },
  kmnist: {
    name: 'kmnist',
    title: 'Kuzushiji-MNIST (KMNIST)',
    format: 'idx',
    itemShape: [28, 28, 1],
    examples: { train: 60000, test: 10000 },
    files: {
      train: {
        images: {
          name: 'train-images-idx3-ubyte',
          bytes: 47040016,
          gzip: {
            sha256: '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
            bytes: 18165135,
          },
        },
        labels: {
          name: 'train-labels-idx1-ubyte',
          bytes: 60008,
          gzip: { sha256: 'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17', bytes: 29497 },
        },
      },
      test: {
        images: {
          name: 't10k-images-idx3-ubyte',
          bytes: 7840016,
          gzip: {
            sha256: 'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5',
            bytes: 3041136,
          },
        },
        labels: {
          name: 't10k-labels-idx1-ubyte',
          bytes: 10008,
          gzip: { sha256: '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c', bytes: 5120 },
        },
      },
    },
    mirrors: [
      'https://codh.rois.ac.jp/kmnist/dataset/kmnist/',
      'http://codh.rois.ac.jp/kmnist/dataset/kmnist/',
    ],
    // The ten hiragana of the KMNIST classes, in label order (kmnist_classmap.csv), with their romanization.
    classNames: [
      'o (お)',
      'ki (き)',
      'su (す)',
      'tsu (つ)',
      'na (な)',
      'ha (は)',
      'ma (ま)',
      'ya (や)',
      're (れ)',
      'wo (を)',
    ],
    license: 'CC BY-SA 4.0, ROIS-DS Center for Open Data in the Humanities (cite Clanuwat et al., 2018)',
    homepage: 'https://github.com/rois-codh/kmnist',
  },
  'frey-face': {
    name: 'frey-face',
    title: 'Frey Face',
    format: 'frey-face',
    itemShape: [28, 20, 1],
    examples: { train: 1765, test: 200 },
    testFrames: 200,
    files: { idx: 'frey-faces-idx3-ubyte', mat: 'frey_rawface.mat' },
    pixelsSha256: '2438ba4f0d2a6bd8bac43de756141eaa33c8d248dd613d464bdb1210d9b7af78',
    knownFiles: [
      {
        name: 'frey-faces-idx3-ubyte',
        sha256: 'c943677a3bcb83ed2de1207d4355c360cabfee597a538f9735ec3254886c365f',
        bytes: 1100416,
      },
      {
        name: 'frey_rawface.mat',
        sha256: 'b1e81a1884d9bf79ef476ef4ccbc25e925eacfea45a64c209c2c07253fe2fd63',
        bytes: 1100584,
      },
    ],
    // Sam Roweis' data page (NYU); it has been reported to answer 403 at times: keep a local copy.
    mirrors: ['https://cs.nyu.edu/~roweis/data/'],
    license: 'Brendan Frey; no license stated, distributed for research use',
    homepage: 'https://cs.nyu.edu/~roweis/data.html',
  },
  'cifar-10': {
    name: 'cifar-10',
    title: 'CIFAR-10',
    format: 'cifar-binary',
    itemShape: [32, 32, 3],
    examples: { train: 50000, test: 10000 },
    archive: {
      name: 'cifar-10-binary.tar.gz',
      // The MD5 is the one published on https://www.cs.toronto.edu/~kriz/cifar.html; the SHA-256 is the one other
      // loaders pin (e.g. MLDatasets.jl, torchvision for Ruby) for the same 170,052,171-byte file.
      sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      bytes: 170052171,
    },
    members: {
      train: [
        'data_batch_1.bin',
        'data_batch_2.bin',
        'data_batch_3.bin',
        'data_batch_4.bin',
        'data_batch_5.bin',
      ],
      test: ['test_batch.bin'],
    },
    // TODO: per-file SHA-256 of the extracted batch files (none are published). Until they are recorded here,
    // extracted .bin files are checked for size and content (labels 0-9) only; the archive is checked in full.
    memberBytes: 30730000,
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    license: 'Alex Krizhevsky, Vinod Nair, Geoffrey Hinton; no license stated, cite the 2009 tech report',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
  },
} as const satisfies Record<string, DatasetInfo>;

export type DatasetName = keyof typeof DATASETS;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** Looks a data set up by name, with an error that lists the known names. */
export function datasetInfo<N extends DatasetName>(name: N): (typeof DATASETS)[N];
export function datasetInfo(name: string): DatasetInfo;
export function datasetInfo(name: string): DatasetInfo {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new Error(`unknown dataset '${name}'; choose one of: ${DATASET_NAMES.join(', ')}.`);
  }
  return DATASETS[name as DatasetName];
}
