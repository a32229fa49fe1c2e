/**
 * Examples in every form the toolkit's functions accept them (`fit`, `evaluate`, `embed`, `score` and the metrics):
 * a `BatchSource`, a tensor, a typed array with its shape, or an async iterable of batches. `toBatchSource` is the
 * one place that turns each into a `BatchSource`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from './batches';
import type { BatchSource, Labels } from './interfaces';

/** Numbers as a typed array or a plain array. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | number[];

/** Examples as numbers in JavaScript memory, examples first, row-major. */
export interface ArrayData {
  /** Values, examples first, row-major. */
  values: NumericArray;
  /** [examples, ...item shape], e.g. [1000, 20] or [500, 28, 28, 1]. */
  shape: readonly number[];
  /** One integer label per example. */
  labels?: ArrayLike<number>;
  /** Multiplier applied per batch, e.g. 1/255 for bytes. Default 1. */
  scale?: number;
}

/** One batch of an iterable input: a tensor [batch, ...], or examples with their labels. */
export type BatchInput = tf.Tensor | { x: tf.Tensor | NumericArray; labels?: Labels };

/**
 * Examples as the toolkit's functions accept them:
 * - a `BatchSource` (e.g. a data set of `@vae/data`), used as it is;
 * - a tensor [examples, ...item shape] you own (read, never disposed);
 * - a typed or plain array: `{ values, shape, labels? }`, or the values alone when the function knows the shape of
 *   one example (a model's `inputShape`);
 * - an async (or sync, e.g. a generator) iterable of batches, read once into memory: tensors, or `{ x, labels }`.
 *   Tensors it yields are disposed once read (they were made for this call).
 * Labels of a tensor or of bare values come from the function's `labels` option.
 */
export type DataInput =
  | BatchSource
  | tf.Tensor
  | NumericArray
  | ArrayData
  | AsyncIterable<BatchInput>
  | Iterable<BatchInput>;

export interface ToBatchSourceOptions {
  /** Labels of a tensor or of bare values, one per example. */
  labels?: ArrayLike<number>;
  /** Shape of one example, for bare values (a model's `inputShape`); checked against any other input. */
  itemShape?: readonly number[];
  /** The function to name in error messages. Default 'toBatchSource'. */
  caller?: string;
}

function isBatchSource(input: unknown): input is BatchSource {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as BatchSource).batch === 'function' &&
    typeof (input as BatchSource).size === 'number'
  );
}

function isNumericArray(input: unknown): input is NumericArray {
  return Array.isArray(input) || (ArrayBuffer.isView(input) && !(input instanceof DataView));
}

function isArrayData(input: unknown): input is ArrayData {
  return typeof input === 'object' && input !== null && 'values' in input && 'shape' in input;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Reads an iterable of batches into one `ArrayData`. */
async function collect(
  input: AsyncIterable<BatchInput> | Iterable<BatchInput>,
  itemShape: readonly number[] | undefined,
  caller: string,
): Promise<ArrayData> {
  const parts: Float32Array[] = [];
  const labelParts: number[] = [];
  let shape = itemShape;
  let examples = 0;
  let labelled: boolean | undefined;
  for await (const item of input as AsyncIterable<BatchInput>) {
    const x = item instanceof tf.Tensor ? item : item.x;
    const labels = item instanceof tf.Tensor ? undefined : item.labels;
    let values: Float32Array;
    let batch: number;
    if (x instanceof tf.Tensor) {
      if (x.rank < 2)
        throw new Error(`${caller}: a batch has shape [${x.shape}]; batches are [examples, ...].`);
      const [rows, ...rest] = x.shape;
      if (shape === undefined) shape = rest;
      if (sizeOf(rest) !== sizeOf(shape)) {
        throw new Error(`${caller}: a batch has examples of shape [${rest}], the others [${shape}].`);
      }
      values = Float32Array.from(await x.data());
      batch = rows;
      x.dispose();
    } else {
      if (shape === undefined) {
        throw new Error(
          `${caller}: batches of bare values need the shape of one example; yield tensors instead.`,
        );
      }
      const size = sizeOf(shape);
      if (x.length % size !== 0) {
        throw new Error(
          `${caller}: a batch of ${x.length} values is not a whole number of examples of ${size}.`,
        );
      }
      values = Float32Array.from(x);
      batch = x.length / size;
    }
    if (labelled !== undefined && labelled !== (labels !== undefined)) {
      throw new Error(
        `${caller}: some batches have labels and others not; give every batch its labels or none.`,
      );
    }
    labelled = labels !== undefined;
    if (labels !== undefined) {
      const list = labels instanceof tf.Tensor ? Array.from(await labels.data()) : Array.from(labels);
      if (labels instanceof tf.Tensor) labels.dispose();
      if (list.length !== batch) {
        throw new Error(
          `${caller}: a batch of ${batch} examples has ${list.length} labels; pass one per example.`,
        );
      }
      labelParts.push(...list);
    }
    parts.push(values);
    examples += batch;
  }
  if (shape === undefined || examples === 0) throw new Error(`${caller}: the iterable yielded no examples.`);
  const values = new Float32Array(examples * sizeOf(shape));
  let offset = 0;
  for (const part of parts) {
    values.set(part, offset);
    offset += part.length;
  }
  return { values, shape: [examples, ...shape], labels: labelled ? labelParts : undefined };
}

/**
 * Turns any `DataInput` into a `BatchSource`: the one place where the toolkit normalizes its inputs. A source is
 * returned as it is; tensors and arrays are wrapped without copying (typed arrays are converted one batch at a time);
 * iterables are read into memory first. Throws a one-line error naming `caller` when the input does not fit
 * `itemShape` or lacks a shape.
 */
export async function toBatchSource(
  input: DataInput,
  options: ToBatchSourceOptions = {},
): Promise<BatchSource> {
  const caller = options.caller ?? 'toBatchSource';
  let source: BatchSource;
  if (input instanceof tf.Tensor) {
    source = tensorSource(input, options.labels);
  } else if (isBatchSource(input)) {
    source = input;
  } else if (isNumericArray(input)) {
    const itemShape = options.itemShape;
    if (!itemShape) {
      throw new Error(
        `${caller}: ${input.length} bare values need a shape; pass { values, shape: [examples, ...] } or a tensor.`,
      );
    }
    const size = sizeOf(itemShape);
    if (input.length === 0 || input.length % size !== 0) {
      throw new Error(
        `${caller}: ${input.length} values are not a whole number of examples of shape [${itemShape}] (${size} ` +
          'values each).',
      );
    }
    source = tensorSource({ values: input, shape: [input.length / size, ...itemShape] }, options.labels);
  } else if (isArrayData(input)) {
    source = tensorSource(input, input.labels ?? options.labels);
  } else if (
    typeof input === 'object' &&
    input !== null &&
    (Symbol.asyncIterator in input || Symbol.iterator in input)
  ) {
    source = tensorSource(await collect(input, options.itemShape, caller));
  } else {
    throw new Error(
      `${caller}: expected a BatchSource, a tensor, a typed array with its shape or an iterable of batches, got ` +
        `${input === null ? 'null' : typeof input}.`,
    );
  }
  if (options.itemShape && sizeOf(source.itemShape) !== sizeOf(options.itemShape)) {
    throw new Error(
      `${caller}: examples have shape [${source.itemShape}] (${sizeOf(source.itemShape)} values) but ` +
        `[${options.itemShape}] (${sizeOf(options.itemShape)} values) are expected.`,
    );
  }
  return source;
}
