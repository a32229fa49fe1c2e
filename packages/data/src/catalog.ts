/**
 * The data sets we know: their files, the SHA-256 of each file's uncompressed bytes (so a file is verified the
 * same way whether it arrives gzipped or not), and the public mirrors that serve the gzipped originals.
 */

export type Split = 'train' | 'test';

export interface DatasetFile {
  /** File name without `.gz`. */
  name: string;
  /** SHA-256 (hex) of the uncompressed file. */
  sha256: string;
  /** Uncompressed size in bytes. */
  bytes: number;
}

export interface DatasetInfo {
  name: string;
  title: string;
  files: Record<Split, { images: DatasetFile; labels: DatasetFile }>;
  /** Base URLs; a file is fetched from `${mirror}${name}.gz`. */
  mirrors: string[];
  classNames: readonly string[];
  license: string;
}

export const DATASETS = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits',
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
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    license: 'Yann LeCun, Corinna Cortes, Christopher J.C. Burges; commonly cited as CC BY-SA 3.0',
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (Zalando)',
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
  },
} as const satisfies Record<string, DatasetInfo>;

export type DatasetName = keyof typeof DATASETS;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** Looks a data set up by name, with an error that lists the known names. */
export function datasetInfo(name: string): DatasetInfo {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new Error(`unknown dataset '${name}'; choose one of: ${DATASET_NAMES.join(', ')}.`);
  }
  return DATASETS[name as DatasetName];
}
