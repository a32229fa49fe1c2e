import * as tf from '@tensorflow/tfjs-core';
import {
  batchLabels,
  batchRanges,
  type DataInput,
  type ProgressOptions,
  type RepresentationFunction,
  range,
  reportProgress,
  toBatchSource,
} from '@vae/core';
import { assertFinite, assertInteger } from './checks';

/** A dense row-major matrix of plain numbers: `values[row * columns + column]`. */
export interface Matrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

/**
 * A matrix as the metrics accept it: a tensor of shape [rows, ...] (flattened to [rows, columns]), an array of
 * rows, or a `Matrix`. Tensors are read, never disposed.
 */
export type MatrixInput = tf.Tensor | ReadonlyArray<ArrayLike<number>> | Matrix;

function isMatrix(input: MatrixInput): input is Matrix {
  return !(input instanceof tf.Tensor) && !Array.isArray(input) && 'values' in input;
}

/** Reads any `MatrixInput` into a float64 `Matrix`, checking that rows agree in length and values are finite. */
export async function toMatrix(input: MatrixInput, where: string, name: string): Promise<Matrix> {
  let matrix: Matrix;
  if (input instanceof tf.Tensor) {
    if (input.rank < 2) {
      throw new Error(`${where}: ${name} must have shape [rows, columns], got [${input.shape}].`);
    }
    const rows = input.shape[0];
    const columns = rows === 0 ? 0 : input.size / rows;
    matrix = { values: Float64Array.from(await input.data()), rows, columns };
  } else if (isMatrix(input)) {
    if (input.values.length !== input.rows * input.columns) {
      throw new Error(
        `${where}: ${name} has ${input.values.length} values but rows * columns = ${input.rows * input.columns}.`,
      );
    }
    matrix = input;
  } else {
    const rows = input.length;
    const columns = rows === 0 ? 0 : input[0].length;
    const values = new Float64Array(rows * columns);
    for (let i = 0; i < rows; i++) {
      if (input[i].length !== columns) {
        throw new Error(`${where}: ${name} row ${i} has ${input[i].length} values, row 0 has ${columns}.`);
      }
      for (let j = 0; j < columns; j++) values[i * columns + j] = input[i][j];
    }
    matrix = { values, rows, columns };
  }
  assertFinite(where, name, matrix.values);
  return matrix;
}

/** Row `i` of a matrix as a view. */
export function row(matrix: Matrix, i: number): Float64Array {
  return matrix.values.subarray(i * matrix.columns, (i + 1) * matrix.columns);
}

/** The rows `indices` of a matrix, copied. */
export function selectRows(matrix: Matrix, indices: ArrayLike<number>): Matrix {
  const values = new Float64Array(indices.length * matrix.columns);
  for (let i = 0; i < indices.length; i++) values.set(row(matrix, indices[i]), i * matrix.columns);
  return { values, rows: indices.length, columns: matrix.columns };
}

export interface CollectCodesOptions extends ProgressOptions {
  /** Examples per call of the representation function. Default 1000. */
  batchSize?: number;
  /** Labels of data given as a tensor (handed to `represent`), one per example. */
  labels?: ArrayLike<number>;
}

/**
 * Runs a representation function (e.g. the posterior mean of an encoder) over a whole data set in batches and
 * returns the codes as a [size, codeSize] `Matrix`, ready for the representation-quality measures. The function
 * gets each batch's labels when the data has them (conditional models: `(x, labels) => model.encode(x, labels).mean`).
 */
export async function collectCodes(
  represent: RepresentationFunction,
  input: DataInput,
  options: CollectCodesOptions = {},
): Promise<Matrix> {
  const where = 'collectCodes';
  const data = await toBatchSource(input, { labels: options.labels, caller: where });
  const batchSize = options.batchSize ?? 1000;
  assertInteger(where, 'batchSize', batchSize);
  if (data.size < 1) throw new Error(`${where}: the data set is empty; pass at least one example.`);
  let values: Float64Array | undefined;
  let columns = 0;
  for (const [start, end] of batchRanges(data.size, batchSize)) {
    const indices = range(start, end);
    const codes = tf.tidy(() => {
      const x = data.batch(indices);
      const out = represent(x, batchLabels(data, indices));
      if (out.rank !== 2 || out.shape[0] !== end - start) {
        throw new Error(
          `${where}: the representation returned shape [${out.shape}] for ${end - start} inputs.`,
        );
      }
      return out;
    });
    const batchValues = await codes.data();
    if (values === undefined) {
      columns = codes.shape[1];
      values = new Float64Array(data.size * columns);
    } else if (codes.shape[1] !== columns) {
      codes.dispose();
      throw new Error(`${where}: the code size changed between batches (${columns} then ${codes.shape[1]}).`);
    }
    codes.dispose();
    values.set(batchValues, start * columns);
    await reportProgress(options, end, data.size);
  }
  const matrix = { values: values!, rows: data.size, columns };
  assertFinite(where, 'codes', matrix.values);
  return matrix;
}
