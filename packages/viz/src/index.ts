/**
 * @vae/viz: framework-free renderers for autoencoder results. Image grids (with captions) and PNG files, the
 * latent manifold, interpolation strips and traversal grids, SVG charts (line charts, training curves, scatter
 * plots, ROC curves, histograms), 2-D projections (PCA, UMAP) and self-contained HTML reports, as plain bytes
 * and strings: browser-safe, no DOM needed at import. Canvas output is in `drawToCanvas`; file output in
 * `@vae/viz/node`.
 */
export {
  type CanvasImageOptions,
  type CanvasLike,
  type DrawToCanvasOptions,
  drawToCanvas,
  toImageData,
  toRgba,
} from './canvas';
export {
  type EpochTerms,
  type LineChartOptions,
  type LineSeries,
  lineChartSvg,
  type TrainingCurveRecord,
  type TrainingCurvesOptions,
  trainingCurvesSvg,
} from './chart';
export {
  type HtmlReportOptions,
  htmlReport,
  type ReportFigure,
  type ReportSection,
  type ReportTable,
} from './html';
export {
  type ConcatImagesOptions,
  concatImagesVertically,
  figureScale,
  type Image,
  type ImageBatch,
  type ImageGridOptions,
  imageGrid,
  scaleImage,
} from './image';
export {
  type DecodeFunction,
  type DecodeOptions,
  type InterpolateOptions,
  type InterpolationStripOptions,
  interpolateLatents,
  interpolationStrip,
  type LatentCode,
  type LatentManifoldOptions,
  latentManifold,
  normalQuantile,
  priorQuantiles,
  type TraversalGridOptions,
  traversalGrid,
} from './latent';
export { decodePng, encodePng } from './png';
export {
  type PcaOptions,
  type PcaResult,
  type Projection,
  type ProjectionMethod,
  type ProjectLatentsOptions,
  pca,
  projectLatents,
  type Rows,
  type UmapOptions,
} from './projection';
export { type ScatterOptions, scatterSvg } from './scatter';
export {
  type HistogramGroup,
  type HistogramOptions,
  histogramSvg,
  type NamedRocCurve,
  type RocCurve,
  type RocCurveOptions,
  type RocPoint,
  rocCurveSvg,
} from './scores';
export { type TensorToImageBatchOptions, tensorToImageBatch } from './tensor';
