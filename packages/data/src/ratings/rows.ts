/**
 * Rating rows as a `BatchSource`, built sparsely: the set is indexed once by row (compressed sparse rows) and each
 * batch fills only its own rows, in core's layout [batch, 2, columns] (ratings, then the observed mask; see
 * `maskedRows`). Rows are users (U-AutoRec, Mult-VAE: a row holds a user's ratings of every item) or items
 * (I-AutoRec: an item's ratings by every user). Memory is the ratings plus one batch, never users x items.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, RatingTriples } from '@vae/core';

export type RowKind = 'user' | 'item';

/** Most values one batch may hold (batch x 2 x columns): 256 Mi floats, 1 GiB. */
export const RATING_BATCH_MAX_VALUES = 256 * 1024 * 1024;

export class RatingRows implements BatchSource {
  readonly by: RowKind;
  /** Number of rows (users or items). */
  readonly size: number;
  /** Entries per row (items or users). */
  readonly columns: number;
  readonly itemShape: readonly number[];
  /** Row r's entries are `columnIndex[rowStart[r] .. rowStart[r + 1])` with values `values[...]`. */
  readonly rowStart: Int32Array;
  readonly columnIndex: Int32Array;
  readonly values: Float32Array;

  constructor(triples: RatingTriples, by: RowKind) {
    if (by !== 'user' && by !== 'item')
      throw new Error(`RatingRows: by must be 'user' or 'item', got '${by}'.`);
    this.by = by;
    const rows = by === 'user' ? triples.users : triples.items;
    const cols = by === 'user' ? triples.items : triples.users;
    this.size = by === 'user' ? triples.numUsers : triples.numItems;
    this.columns = by === 'user' ? triples.numItems : triples.numUsers;
    this.itemShape = [2, this.columns];
    const n = triples.size;
    this.rowStart = new Int32Array(this.size + 1);
    for (let k = 0; k < n; k++) this.rowStart[rows[k] + 1]++;
    for (let r = 0; r < this.size; r++) this.rowStart[r + 1] += this.rowStart[r];
    const fill = this.rowStart.slice(0, this.size);
    this.columnIndex = new Int32Array(n);
    this.values = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const at = fill[rows[k]]++;
      this.columnIndex[at] = cols[k];
      this.values[at] = triples.ratings[k];
    }
  }

  /** Observed entries of row r. */
  rowLength(r: number): number {
    return this.rowStart[r + 1] - this.rowStart[r];
  }

  batch(indices: ArrayLike<number>): tf.Tensor3D {
    const b = indices.length;
    const width = this.columns;
    if (b * 2 * width > RATING_BATCH_MAX_VALUES) {
      throw new Error(
        `RatingRows: a batch of ${b} rows of ${width} would hold ${(b * 2 * width).toLocaleString('en-US')} values; ` +
          'use a smaller batch size.',
      );
    }
    const out = new Float32Array(b * 2 * width);
    for (let j = 0; j < b; j++) {
      const r = indices[j];
      if (!Number.isInteger(r) || r < 0 || r >= this.size) {
        throw new Error(`RatingRows: row ${r} is outside [0, ${this.size}).`);
      }
      const valueBase = j * 2 * width;
      const maskBase = valueBase + width;
      for (let at = this.rowStart[r]; at < this.rowStart[r + 1]; at++) {
        const c = this.columnIndex[at];
        out[valueBase + c] = this.values[at];
        out[maskBase + c] = 1;
      }
    }
    return tf.tensor3d(out, [b, 2, width]);
  }
}

/** Rows of `triples` by user or by item (see `RatingRows`). */
export function ratingRows(triples: RatingTriples, by: RowKind): RatingRows {
  return new RatingRows(triples, by);
}
