export {
  DATASET_NAMES,
  DATASETS,
  type DatasetFile,
  type DatasetInfo,
  type DatasetName,
  datasetInfo,
  type Split,
} from './catalog';
export { type IdxArray, parseIdx } from './idx';
export { ImageDataset, type ImageDatasetOptions } from './image-dataset';
