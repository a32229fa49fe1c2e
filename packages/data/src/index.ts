export {
  BIASED_SHAPES_DEFAULTS,
  BIASED_SHAPES_SUBGROUPS,
  type BiasedShapeName,
  type BiasedShapes,
  type BiasedShapesOptions,
  type BiasedShapesSplit,
  biasedShapes,
  type RareAttribute,
} from './biased-shapes';
export { type FetchDatasetOptions, loadDataset } from './browser';
export {
  type CifarDatasetInfo,
  DATASET_NAMES,
  DATASETS,
  type DatasetFile,
  type DatasetInfo,
  type DatasetName,
  datasetInfo,
  type FreyFaceDatasetInfo,
  type IdxDatasetInfo,
  type IdxFile,
  type Split,
  type SplitName,
} from './catalog';
export {
  CIFAR_RECORD_BYTES,
  CIFAR10_CLASS_NAMES,
  type CifarBatch,
  cifarDataset,
  cifarFilesFromTar,
  parseCifarBatches,
} from './cifar';
export {
  applyNormalization,
  CSV_MAX_COLUMNS,
  CSV_MAX_ROWS,
  type CsvDatasetOptions,
  csvDataset,
  fitNormalization,
  invertNormalization,
  type NormalizationStats,
  type ParseCsvOptions,
  parseCsv,
  TabularDataset,
} from './csv';
export {
  DSPRITES_FACTOR_BASES,
  DSPRITES_FACTOR_NAMES,
  DSPRITES_FACTOR_SIZES,
  DSPRITES_FACTOR_VALUES,
  DSPRITES_IMAGE_SIZE,
  DSPRITES_SHAPE_NAMES,
  DSPRITES_SIZE,
  DSprites,
  type DSpritesFactorName,
  type DSpritesOptions,
  drawSprite,
  dspritesFactors,
  dspritesIndex,
  type FixedFactorSample,
  type SpriteParameters,
} from './dsprites';
export { FREY_FACE_COUNT, freyFaceDataset, freyFaceFromIdx, freyFaceFromMat } from './frey-face';
export { IDX_MAX_RANK, type IdxArray, parseIdx } from './idx';
export { ImageDataset, type ImageDatasetOptions } from './image-dataset';
export {
  DEFAULT_MAX_BYTES,
  DOWNLOAD_IDLE_TIMEOUT_MS,
  DOWNLOAD_TIMEOUT_MS,
  type DownloadTimeouts,
} from './limits';
export { type GunzipOptions, gunzip, sha256Hex } from './loading';
export { type MatArray, type ParseMatOptions, parseMat } from './mat';
export {
  type DuplicatePolicy,
  formatRatings,
  type ParseRatingsOptions,
  parseRatings,
  RATING_BATCH_MAX_VALUES,
  RATING_DATASET_NAMES,
  RATING_DATASETS,
  RATING_FORMATS,
  RATINGS_MAX,
  type RatingDatasetInfo,
  type RatingDatasetName,
  type RatingFormat,
  RatingRows,
  RatingSet,
  RatingSetBuilder,
  type RatingSplit,
  type RatingSplitOptions,
  type RawRating,
  type RowKind,
  ratingDatasetInfo,
  ratingRows,
  type SyntheticRatingsOptions,
  splitByTime,
  splitPerUser,
  splitRandom,
  syntheticRatings,
} from './ratings/index';
export { readTar, type TarEntry, writeTar } from './tar';
export {
  type Batch,
  type BinarizeOptions,
  binarize,
  type CorruptedSource,
  type Corruption,
  corrupt,
  type DataSource,
  type EpochOptions,
  epochBatches,
  iterateBatches,
  type SplitOptions,
  splitSource,
  subset,
} from './transforms';
export {
  type ArraySourceOptions,
  arraySource,
  type ImageFilesOptions,
  type ImagesOptions,
  imageDataDataset,
  imageFilesDataset,
  type NumericArray,
  type RgbaImage,
  rgbaToChannels,
} from './user-data';
