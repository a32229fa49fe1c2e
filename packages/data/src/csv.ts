/**
 * Tabular data from CSV text: an RFC 4180 parser (quoted fields, embedded delimiters, quotes and newlines, CRLF),
 * column selection, an optional label column (numbers or class names), and normalization (min-max to [0, 1] or
 * standardization to mean 0, standard deviation 1) whose statistics can be fitted on training data and applied to
 * test data.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from './transforms';

/** The default most rows (`maxRows`) a CSV may have: 10 million. */
export const CSV_MAX_ROWS = 10_000_000;
/** The default most fields per row (`maxColumns`) a CSV may have: 100,000. */
export const CSV_MAX_COLUMNS = 100_000;

/** Options of `parseCsv`. */
export interface ParseCsvOptions {
  /** Field delimiter. Default ','. */
  delimiter?: string;
  /** A name for messages (e.g. the file's path). */
  name?: string;
  /** The most rows (header included) the text may have; more is an error, raised as soon as it is seen. Default 10,000,000. */
  maxRows?: number;
  /** The most fields a row may have; more is an error. Default 100,000. */
  maxColumns?: number;
}

function positiveLimit(value: number | undefined, fallback: number, option: string, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}: ${option} must be a positive integer, got ${value}.`);
  }
  return value;
}

/**
 * Parses CSV text into rows of fields. Blank lines are skipped. Stops with an error naming the line as soon as the
 * text has more than `maxRows` rows or a row more than `maxColumns` fields.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  const name = options.name ?? 'CSV';
  const maxRows = positiveLimit(options.maxRows, CSV_MAX_ROWS, 'maxRows', name);
  const maxColumns = positiveLimit(options.maxColumns, CSV_MAX_COLUMNS, 'maxColumns', name);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(
      `${name}: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}.`,
    );
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let fieldStarted = false;
  const tooManyColumns = () =>
    new Error(
      `${name}: line ${line} has more than ${maxColumns.toLocaleString('en-US')} fields, the most allowed ` +
        '(maxColumns); check the delimiter, or pass a larger maxColumns if the table is that wide.',
    );
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '' && !fieldStarted)) {
      if (row.length > maxColumns) throw tooManyColumns();
      if (rows.length === maxRows) {
        throw new Error(
          `${name} has more than ${maxRows.toLocaleString('en-US')} rows, the most allowed (maxRows); pass a ` +
            'larger maxRows if the table is genuine, or split it.',
        );
      }
      rows.push(row);
    }
    row = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      row.push(field);
      if (row.length >= maxColumns) throw tooManyColumns();
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted)
    throw new Error(
      `${name}: a quoted field opened before line ${line} is never closed; the file is truncated or malformed.`,
    );
  if (field !== '' || row.length > 0 || fieldStarted) endRow();
  return rows;
}

/** How features are scaled: x' = (x - offset) / scale, per column. */
export interface NormalizationStats {
  method: 'min-max' | 'standardize';
  offset: number[];
  scale: number[];
}

/**
 * Fits per-column normalization statistics to row-major values. Min-max maps each column's range to [0, 1];
 * standardization subtracts the mean and divides by the (population) standard deviation. Constant columns get
 * scale 1.
 */
export function fitNormalization(
  values: ArrayLike<number>,
  columns: number,
  method: 'min-max' | 'standardize',
): NormalizationStats {
  const rows = values.length / columns;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new Error(`fitNormalization: ${values.length} values do not make rows of ${columns} columns.`);
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < columns; c++) {
    if (method === 'min-max') {
      let min = Infinity;
      let max = -Infinity;
      for (let r = 0; r < rows; r++) {
        const v = values[r * columns + c];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      offset.push(min);
      scale.push(max > min ? max - min : 1);
    } else {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += values[r * columns + c];
      const mean = sum / rows;
      let squares = 0;
      for (let r = 0; r < rows; r++) squares += (values[r * columns + c] - mean) ** 2;
      const std = Math.sqrt(squares / rows);
      offset.push(mean);
      scale.push(std > 0 ? std : 1);
    }
  }
  return { method, offset, scale };
}

/** Applies normalization statistics to row-major values (a new array). */
export function applyNormalization(values: ArrayLike<number>, stats: NormalizationStats): Float32Array {
  const columns = stats.offset.length;
  if (values.length % columns !== 0) {
    throw new Error(`applyNormalization: ${values.length} values do not make rows of ${columns} columns.`);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % columns;
    out[i] = (values[i] - stats.offset[c]) / stats.scale[c];
  }
  return out;
}

/** Undoes `applyNormalization`. */
export function invertNormalization(values: ArrayLike<number>, stats: NormalizationStats): Float32Array {
  const columns = stats.offset.length;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % columns;
    out[i] = values[i] * stats.scale[c] + stats.offset[c];
  }
  return out;
}

/** Options of `csvDataset`. */
export interface CsvDatasetOptions {
  /** Field delimiter. Default ','. */
  delimiter?: string;
  /** Whether the first row names the columns. Default: yes when any of its fields is not a number. */
  header?: boolean;
  /** The feature columns, by name or position. Default: all but the label column. */
  columns?: ReadonlyArray<string | number>;
  /** A column of labels, by name or position: integers, or class names (numbered in sorted order). */
  labelColumn?: string | number;
  /** Normalization of the features. Default 'none'. */
  normalize?: 'none' | 'min-max' | 'standardize';
  /** Statistics to apply instead of fitting them (e.g. those of the training set, for a test set). */
  stats?: NormalizationStats;
  /** Class names to number labels by (e.g. those of the training set), instead of the sorted distinct values. */
  classNames?: readonly string[];
  /** A name for messages. */
  name?: string;
  /** The most rows the CSV may have (header included). Default 10,000,000. */
  maxRows?: number;
  /** The most fields per row. Default 100,000. */
  maxColumns?: number;
}

/** Rows of numeric features in memory (float32), batched as [batch, columns]. */
export class TabularDataset implements DataSource {
  readonly name: string;
  readonly size: number;
  readonly itemShape: readonly [number];
  /** Row-major features, normalized if asked. */
  readonly values: Float32Array;
  /** Names of the feature columns. */
  readonly columns: readonly string[];
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
  /** The normalization applied, if any (reuse it for other splits; invert it with `invertNormalization`). */
  readonly normalization?: NormalizationStats;

  constructor(options: {
    values: Float32Array;
    columns: readonly string[];
    labels?: Int32Array;
    classNames?: readonly string[];
    normalization?: NormalizationStats;
    name?: string;
  }) {
    this.name = options.name ?? 'table';
    const width = options.columns.length;
    if (width < 1 || options.values.length % width !== 0) {
      throw new Error(`${this.name}: ${options.values.length} values do not make rows of ${width} columns.`);
    }
    this.size = options.values.length / width;
    if (options.labels && options.labels.length !== this.size) {
      throw new Error(
        `${this.name}: ${options.labels.length} labels for ${this.size} rows; pass one per row.`,
      );
    }
    this.itemShape = [width];
    this.values = options.values;
    this.columns = options.columns;
    this.labels = options.labels;
    this.classNames = options.classNames;
    this.normalization = options.normalization;
  }

  /** Float32 features [indices.length, columns]. */
  batch(indices: ArrayLike<number>): tf.Tensor2D {
    const width = this.itemShape[0];
    const out = new Float32Array(indices.length * width);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      if (!(Number.isInteger(index) && index >= 0 && index < this.size)) {
        throw new Error(`${this.name}: index ${index} is out of range [0, ${this.size}).`);
      }
      out.set(this.values.subarray(index * width, (index + 1) * width), i * width);
    }
    return tf.tensor2d(out, [indices.length, width]);
  }
}

function resolveColumn(column: string | number, names: readonly string[], name: string): number {
  const index = typeof column === 'number' ? column : names.indexOf(column);
  if (!Number.isInteger(index) || index < 0 || index >= names.length) {
    throw new Error(`${name}: no column ${JSON.stringify(column)}; the columns are: ${names.join(', ')}.`);
  }
  return index;
}

/** Builds a `TabularDataset` from CSV text (see `CsvDatasetOptions`). */
export function csvDataset(text: string, options: CsvDatasetOptions = {}): TabularDataset {
  const name = options.name ?? 'CSV';
  const rows = parseCsv(text, {
    delimiter: options.delimiter,
    name,
    maxRows: options.maxRows,
    maxColumns: options.maxColumns,
  });
  if (rows.length === 0) throw new Error(`${name} is empty; expected rows of comma-separated numbers.`);
  const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));
  const header = options.header ?? rows[0].some((field) => !isNumber(field));
  const width = rows[0].length;
  const names = header ? rows[0].map((s) => s.trim()) : rows[0].map((_, i) => `column ${i}`);
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0) throw new Error(`${name} has a header but no rows of data.`);
  const label = options.labelColumn === undefined ? -1 : resolveColumn(options.labelColumn, names, name);
  const features = options.columns
    ? options.columns.map((c) => resolveColumn(c, names, name))
    : names.map((_, i) => i).filter((i) => i !== label);
  if (features.length === 0) throw new Error(`${name}: no feature columns left; check options.columns.`);
  const firstLine = header ? 2 : 1;
  const values = new Float32Array(body.length * features.length);
  body.forEach((row, r) => {
    if (row.length !== width) {
      throw new Error(
        `${name}: row ${r + firstLine} has ${row.length} fields, expected ${width} (as in the first row). ` +
          'Check for a missing or extra delimiter, or an unquoted field that contains one.',
      );
    }
    features.forEach((c, k) => {
      const field = row[c];
      if (!isNumber(field)) {
        throw new Error(
          `${name}: row ${r + firstLine}, column '${names[c]}' holds ${JSON.stringify(field)}, expected a number. ` +
            'Fix or fill the value, or leave the column out with options.columns.',
        );
      }
      const value = Math.fround(Number(field));
      if (!Number.isFinite(value)) {
        throw new Error(
          `${name}: row ${r + firstLine}, column '${names[c]}' holds ${field.trim()}, too large for float32 ` +
            '(at most about 3.4e38 in magnitude); rescale the column (e.g. take its logarithm) or leave it out ' +
            'with options.columns.',
        );
      }
      values[r * features.length + k] = value;
    });
  });
  let labels: Int32Array | undefined;
  let classNames = options.classNames;
  if (label >= 0) {
    const raw = body.map((row) => row[label].trim());
    const numeric = !classNames && raw.every((s) => /^-?\d+$/.test(s));
    if (!numeric && !classNames) classNames = [...new Set(raw)].sort();
    labels = new Int32Array(raw.length);
    raw.forEach((s, r) => {
      const value = numeric ? Number(s) : classNames!.indexOf(s);
      if (numeric && !(value >= 0 && value <= 2 ** 31 - 1)) {
        throw new Error(
          `${name}: row ${r + firstLine}, column '${names[label]}' has label ${s}; integer labels are class ` +
            `indices from 0 to ${(2 ** 31 - 1).toLocaleString('en-US')}. Renumber the classes, or pass ` +
            'classNames to read the labels as names.',
        );
      }
      if (value < 0) {
        throw new Error(
          `${name}: row ${r + firstLine} has label ${JSON.stringify(s)}, which is not one of the class names ` +
            `${JSON.stringify(classNames)}.`,
        );
      }
      labels![r] = value;
    });
  }
  const method = options.stats?.method ?? options.normalize ?? 'none';
  let normalization: NormalizationStats | undefined;
  let out: Float32Array = values;
  if (method !== 'none') {
    if (method !== 'min-max' && method !== 'standardize') {
      throw new Error(`${name}: normalize must be 'none', 'min-max' or 'standardize', got '${method}'.`);
    }
    normalization = options.stats ?? fitNormalization(values, features.length, method);
    if (normalization.offset.length !== features.length) {
      throw new Error(
        `${name}: the normalization statistics have ${normalization.offset.length} columns, the data ` +
          `${features.length}; pass statistics fitted on the same columns.`,
      );
    }
    out = applyNormalization(values, normalization);
  }
  return new TabularDataset({
    values: out,
    columns: features.map((c) => names[c]),
    labels,
    classNames,
    normalization,
    name,
  });
}
