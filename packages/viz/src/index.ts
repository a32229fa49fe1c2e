/**
 * @vae/viz: framework-free renderers for autoencoder results. Image grids and PNG files, SVG line charts and
 * self-contained HTML reports, as plain bytes and strings: browser-safe, no DOM needed. File output is in
 * `@vae/viz/node`.
 */
export { type LineChartOptions, type LineSeries, lineChartSvg } from './chart';
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
  type Image,
  type ImageBatch,
  type ImageGridOptions,
  imageGrid,
} from './image';
export { decodePng, encodePng } from './png';
export { type TensorToImageBatchOptions, tensorToImageBatch } from './tensor';
