/**
 * 8-bit images and image grids: the pixel layer under the PNG encoder and the HTML report. Pure functions on
 * typed arrays, so they run the same in browsers and Node.
 */
import { drawText, fitText, GLYPH_HEIGHT, textWidth } from './font';

/** An 8-bit image: `data` holds `height * width * channels` bytes, row-major with interleaved channels. */
export interface Image {
  width: number;
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/**
 * A batch of float images in [0, 1], in NHWC order: `values[((n * height + y) * width + x) * channels + c]`.
 * Values outside [0, 1] are clamped when drawn.
 */
export interface ImageBatch {
  values: ArrayLike<number>;
  count: number;
  height: number;
  width: number;
  /** 1 = grey (default), 3 = RGB. */
  channels?: 1 | 3;
}

export interface ImageGridOptions {
  /** Tiles per row. Default `ceil(sqrt(count))`, which makes the grid roughly square. */
  columns?: number;
  /** Pixels of background around and between the tiles. Default 2. */
  padding?: number;
  /** Grey level of the padding and of empty cells, in [0, 1]. Default 1 (white). */
  background?: number;
  /**
   * One caption per tile (missing or empty entries draw nothing), drawn under the tile in the built-in bitmap
   * font (6 pixels per character at `labelScale` 1), centred and cut to the tile's width plus padding less 3
   * pixels, e.g. 4 characters under 28-pixel tiles with 2 pixels of padding. Adds a band of
   * `8 * labelScale + 2` rows under every row of tiles (none when tiles are too narrow for one character).
   */
  captions?: readonly (string | undefined)[];
  /** One label per row of tiles, drawn right-aligned in a margin left of the grid, centred on the row. */
  rowLabels?: readonly (string | undefined)[];
  /**
   * One label per column of tiles, drawn centred in a band above the grid. Labels are never cut: when the widest
   * is wider than a column, only every second (third, ...) column is labelled, starting with the first.
   */
  columnLabels?: readonly (string | undefined)[];
  /** Integer size of the font's pixels. Default 1 (glyphs 5 x 7 pixels, 6 pixels apart). */
  labelScale?: number;
  /** Grey level of the text in [0, 1]. Default black on light backgrounds (>= 0.5), white on dark ones. */
  textColour?: number;
  /**
   * Enlarges the finished grid by an integer factor (nearest neighbour, so pixels stay crisp), labels included; or
   * `'auto'`, which picks `figureScale(height, width)`: tiles of about 64 pixels or more, e.g. 3x for 28-pixel MNIST
   * digits. Default 1 (one pixel per image pixel). Figures meant for people (files, reports) want `'auto'`.
   */
  scale?: number | 'auto';
}

/**
 * The integer enlargement that makes tiles of `height` x `width` pixels at least about 64 pixels on their longer
 * side, at most 8x: 3 for 28 x 28 (84 pixels), 2 for 32 x 32, 1 for 64 x 64 and larger.
 */
export function figureScale(height: number, width: number = height): number {
  const side = Math.max(height, width);
  if (!(side > 0)) throw new Error(`figureScale: the tile size must be positive, got ${height} x ${width}.`);
  return Math.min(8, Math.max(1, Math.ceil(64 / side)));
}

export interface ConcatImagesOptions {
  /** Rows of background between consecutive images. Default 0. */
  gap?: number;
  /**
   * Grey level in [0, 1] of the gap and of the space beside images narrower than the widest one (they are
   * centred). Alpha, if any, is opaque there. Default 1 (white).
   */
  background?: number;
}

function checkPositiveInteger(where: string, label: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${label} must be a positive integer, got ${value}.`);
  }
}

function checkNonNegativeInteger(where: string, label: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${where}: ${label} must be a non-negative integer, got ${value}.`);
  }
}

/** Converts a level in [0, 1] to a byte, or throws naming the option. */
function backgroundByte(where: string, background: number): number {
  if (!Number.isFinite(background) || background < 0 || background > 1) {
    throw new Error(`${where}: background must be a number in [0, 1], got ${background}.`);
  }
  return Math.round(background * 255);
}

/** Clamps to [0, 1] and rounds to a byte; NaN becomes 0. */
function toByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 1) return 255;
  return Math.round(value * 255);
}

/**
 * Checks an image's dimensions and data length and throws an Error naming the problem. Used by every function
 * that takes an {@link Image}.
 */
export function checkImage(image: Image, where: string): void {
  if (image === null || typeof image !== 'object') {
    throw new Error(`${where}: expected an image { width, height, channels, data }, got ${image}.`);
  }
  checkPositiveInteger(where, 'image width', image.width);
  checkPositiveInteger(where, 'image height', image.height);
  if (image.channels !== 1 && image.channels !== 3 && image.channels !== 4) {
    throw new Error(`${where}: unsupported channels ${image.channels}; use 1 (grey), 3 (RGB) or 4 (RGBA).`);
  }
  if (!(image.data instanceof Uint8Array)) {
    throw new Error(
      `${where}: image data must be a Uint8Array of bytes; convert it with new Uint8Array(...).`,
    );
  }
  const expected = image.width * image.height * image.channels;
  if (image.data.length !== expected) {
    throw new Error(
      `${where}: image data has ${image.data.length} bytes but width * height * channels = ` +
        `${image.width} * ${image.height} * ${image.channels} = ${expected}; check the dimensions.`,
    );
  }
}

/** Checks a batch and returns its channel count. */
export function checkImageBatch(batch: ImageBatch, where: string): 1 | 3 {
  if (batch === null || typeof batch !== 'object') {
    throw new Error(`${where}: expected a batch { values, count, height, width, channels? }, got ${batch}.`);
  }
  if (batch.count === 0) {
    throw new Error(`${where}: the batch is empty (count 0); pass at least one image.`);
  }
  checkPositiveInteger(where, 'count', batch.count);
  checkPositiveInteger(where, 'height', batch.height);
  checkPositiveInteger(where, 'width', batch.width);
  const channels = batch.channels ?? 1;
  if (channels !== 1 && channels !== 3) {
    throw new Error(`${where}: unsupported channels ${channels}; use 1 (grey) or 3 (RGB).`);
  }
  const { values, count, height, width } = batch;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new Error(`${where}: values must be an array or typed array of numbers.`);
  }
  const expected = count * height * width * channels;
  if (values.length !== expected) {
    throw new Error(
      `${where}: values has length ${values.length} but count * height * width * channels = ` +
        `${count} * ${height} * ${width} * ${channels} = ${expected}; check the shape (values are NHWC).`,
    );
  }
  return channels;
}

function checkLabels(where: string, label: string, labels: unknown, expected: number, unit: string): void {
  if (labels === undefined) return;
  if (!Array.isArray(labels)) throw new Error(`${where}: ${label} must be an array of strings.`);
  if (labels.length > expected) {
    throw new Error(`${where}: ${labels.length} ${label} for ${expected} ${unit}; pass at most ${expected}.`);
  }
}

/**
 * Lays a batch of images out as one grid image, left to right and top to bottom, with `padding` pixels of
 * background around and between the tiles. Values are clamped to [0, 1] and rounded to bytes (NaN draws as 0).
 * The result has the batch's channels (1 or 3) and, without labels, size
 * `columns * width + (columns + 1) * padding` by `rows * height + (rows + 1) * padding`. Captions (under each
 * tile), row labels (left) and column labels (top) are drawn in a built-in 5 x 7 bitmap font and add margins.
 * `scale` then enlarges the whole figure (`'auto'`: tiles of about 64 pixels).
 */
export function imageGrid(batch: ImageBatch, options: ImageGridOptions = {}): Image {
  const where = 'imageGrid';
  checkImageBatch(batch, where);
  const requested = options.scale ?? 1;
  const factor = requested === 'auto' ? figureScale(batch.height, batch.width) : requested;
  checkPositiveInteger(where, 'scale', factor);
  const grid = gridAtScaleOne(batch, options);
  return factor === 1 ? grid : scaleImage(grid, factor);
}

function gridAtScaleOne(batch: ImageBatch, options: ImageGridOptions): Image {
  const where = 'imageGrid';
  const channels = checkImageBatch(batch, where);
  const { values, count, height, width } = batch;
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  checkPositiveInteger(where, 'columns', columns);
  const padding = options.padding ?? 2;
  checkNonNegativeInteger(where, 'padding', padding);
  const background = options.background ?? 1;
  const fill = backgroundByte(where, background);
  const rows = Math.ceil(count / columns);
  const { captions, rowLabels, columnLabels } = options;
  checkLabels(where, 'captions', captions, count, 'tiles');
  checkLabels(where, 'rowLabels', rowLabels, rows, 'rows');
  checkLabels(where, 'columnLabels', columnLabels, columns, 'columns');
  const scale = options.labelScale ?? 1;
  checkPositiveInteger(where, 'labelScale', scale);
  const textColour = options.textColour ?? (background >= 0.5 ? 0 : 1);
  if (!Number.isFinite(textColour) || textColour < 0 || textColour > 1) {
    throw new Error(`${where}: textColour must be a number in [0, 1], got ${textColour}.`);
  }
  const ink = Math.round(textColour * 255);
  const text = (labels: readonly (string | undefined)[] | undefined, i: number) => String(labels?.[i] ?? '');
  const hasText = (labels: readonly (string | undefined)[] | undefined) =>
    labels?.some((label) => label !== undefined && String(label) !== '') === true;
  const band = GLYPH_HEIGHT * scale + 2;
  // Captions may use the padding beside their tile, less a small gap; longer ones are cut.
  const gap = 3 * scale;
  const captionRoom = width + padding - gap;
  const captionsFit = fitText('x', captionRoom, scale) !== '';
  const captionHeight = hasText(captions) && captionsFit ? band : 0;
  const columnLabelHeight = hasText(columnLabels) ? band : 0;
  const rowLabelWidth = hasText(rowLabels)
    ? Math.max(...Array.from({ length: rows }, (_, r) => textWidth(text(rowLabels, r), scale))) + 2 * scale
    : 0;
  const gridWidth = rowLabelWidth + columns * width + (columns + 1) * padding;
  const gridHeight = columnLabelHeight + rows * (height + captionHeight) + (rows + 1) * padding;
  const data = new Uint8Array(gridWidth * gridHeight * channels).fill(fill);
  const grid: Image = { width: gridWidth, height: gridHeight, channels, data };
  const rowLength = width * channels;
  const tileLeft = (column: number) => rowLabelWidth + padding + column * (width + padding);
  const tileTop = (row: number) => columnLabelHeight + padding + row * (height + captionHeight + padding);
  for (let n = 0; n < count; n++) {
    const left = tileLeft(n % columns);
    const top = tileTop(Math.floor(n / columns));
    for (let y = 0; y < height; y++) {
      const source = (n * height + y) * rowLength;
      const target = ((top + y) * gridWidth + left) * channels;
      for (let i = 0; i < rowLength; i++) data[target + i] = toByte(values[source + i]);
    }
  }
  const centred = (label: string, column: number, top: number, room: number) => {
    const shown = fitText(label, room, scale);
    const shownWidth = textWidth(shown, scale);
    const left = tileLeft(column) + Math.floor((width - shownWidth) / 2);
    // Labels wider than their tile stay inside the image.
    drawText(grid, shown, Math.max(0, Math.min(gridWidth - shownWidth, left)), top, ink, scale);
  };
  if (captionHeight > 0) {
    for (let n = 0; n < count; n++) {
      const top = tileTop(Math.floor(n / columns)) + height + 1;
      centred(text(captions, n), n % columns, top, captionRoom);
    }
  }
  if (columnLabelHeight > 0) {
    // Column labels (often numbers) are never cut: when the widest does not fit, only every k-th is drawn.
    const widest = Math.max(
      ...Array.from({ length: columns }, (_, c) => textWidth(text(columnLabels, c), scale)),
    );
    let every = 1;
    while (every < columns && widest > every * (width + padding) - gap) every++;
    for (let c = 0; c < columns; c += every) {
      centred(text(columnLabels, c), c, padding + 1, Number.POSITIVE_INFINITY);
    }
  }
  if (rowLabelWidth > 0) {
    for (let r = 0; r < rows; r++) {
      const label = text(rowLabels, r);
      const top = tileTop(r) + Math.floor((height - (GLYPH_HEIGHT - 1) * scale) / 2);
      drawText(grid, label, rowLabelWidth + padding - scale - textWidth(label, scale), top, ink, scale);
    }
  }
  return grid;
}

/**
 * Enlarges an image by an integer factor, each pixel becoming a `factor` x `factor` block (nearest neighbour),
 * so small tiles stay crisp in PNG files and on canvases.
 */
export function scaleImage(image: Image, factor: number): Image {
  const where = 'scaleImage';
  checkImage(image, where);
  checkPositiveInteger(where, 'factor', factor);
  if (factor === 1) return { ...image, data: image.data.slice() };
  const { width, height, channels } = image;
  const outWidth = width * factor;
  const data = new Uint8Array(outWidth * height * factor * channels);
  const outRowLength = outWidth * channels;
  for (let y = 0; y < height; y++) {
    const row = new Uint8Array(outRowLength);
    for (let x = 0; x < width; x++) {
      const pixel = image.data.subarray((y * width + x) * channels, (y * width + x + 1) * channels);
      for (let dx = 0; dx < factor; dx++) row.set(pixel, (x * factor + dx) * channels);
    }
    for (let dy = 0; dy < factor; dy++) data.set(row, (y * factor + dy) * outRowLength);
  }
  return { width: outWidth, height: height * factor, channels, data };
}

/**
 * Stacks images top to bottom, e.g. a grid of originals above a grid of their reconstructions. All images must
 * have the same channels; narrower images are centred on the background.
 */
export function concatImagesVertically(images: Image[], options: ConcatImagesOptions = {}): Image {
  const where = 'concatImagesVertically';
  if (!Array.isArray(images) || images.length === 0) {
    throw new Error(`${where}: pass a non-empty array of images.`);
  }
  images.forEach((image, i) => {
    checkImage(image, `${where}: image ${i}`);
  });
  const channels = images[0].channels;
  const mismatch = images.findIndex((image) => image.channels !== channels);
  if (mismatch >= 0) {
    throw new Error(
      `${where}: image 0 has ${channels} channels but image ${mismatch} has ${images[mismatch].channels}; ` +
        'all images must have the same channels (build them from batches with the same channels).',
    );
  }
  const gap = options.gap ?? 0;
  checkNonNegativeInteger(where, 'gap', gap);
  const fill = backgroundByte(where, options.background ?? 1);
  const width = Math.max(...images.map((image) => image.width));
  const height = images.reduce((sum, image) => sum + image.height, 0) + gap * (images.length - 1);
  const data = new Uint8Array(width * height * channels).fill(fill);
  if (channels === 4) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  let top = 0;
  for (const image of images) {
    const left = Math.floor((width - image.width) / 2);
    const rowLength = image.width * channels;
    for (let y = 0; y < image.height; y++) {
      const row = image.data.subarray(y * rowLength, (y + 1) * rowLength);
      data.set(row, ((top + y) * width + left) * channels);
    }
    top += image.height + gap;
  }
  return { width, height, channels, data };
}
