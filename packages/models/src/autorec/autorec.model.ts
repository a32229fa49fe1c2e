/**
 * AutoRec: Sedhain, Menon, Sanner and Xie, "AutoRec: Autoencoders Meet Collaborative Filtering", WWW 2015.
 *
 * A one-hidden-layer autoencoder of partly observed rating rows: h(r) = f(W g(V r + mu) + b) with g sigmoid and f the
 * identity; the loss counts observed ratings only (core's `maskedSquaredError`), plus L2 weight decay on both
 * kernels. I-AutoRec reconstructs item rows (an item's ratings by every user) and predicts user u's rating of item i
 * as h(r_i)_u; U-AutoRec reconstructs user rows. `fit` trains it on core's rows layout [batch, 2, columns] (ratings,
 * mask), e.g. `RatingRows` of `@vae/data`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  batchRanges,
  Dense,
  type LossTerms,
  l2Penalty,
  maskedRows,
  maskedSquaredError,
} from '@vae/core';
import { type FitOptions, type History, train } from '../training/fit';
import type { LossTermScalars, ObjectiveContext, TrainableModel } from '../training/trainable';
import { type AutoRecConfig, resolveAutoRecConfig } from './autorec.config';

/** Which pairs to predict: user and item indices, one pair per position. */
export interface RatingPairs {
  users: ArrayLike<number>;
  items: ArrayLike<number>;
}

export class AutoRec implements TrainableModel {
  static readonly className = 'AutoRec';

  /** The config with defaults filled in, checked (loading checks a saved config with it before building). */
  static resolveConfig(config: Partial<AutoRecConfig> & { columns: number }): AutoRecConfig {
    return resolveAutoRecConfig(config);
  }
  readonly className = AutoRec.className;
  readonly config: AutoRecConfig;
  readonly usesLabels = false;
  trainingStep = 0;
  private readonly encoder: Dense;
  private readonly decoder: Dense;
  /** Rows of the training data: the weight decay is divided by it so that the per-row objective is the paper's. */
  private trainingRows = 1;

  constructor(config: Partial<AutoRecConfig> & { columns: number }) {
    this.config = resolveAutoRecConfig(config);
    const { columns, hiddenUnits, seed } = this.config;
    this.encoder = new Dense(columns, hiddenUnits, { activation: 'sigmoid', name: 'encoder', seed });
    this.decoder = new Dense(hiddenUnits, columns, {
      activation: 'linear',
      name: 'decoder',
      seed: seed === undefined ? undefined : seed + 2,
    });
  }

  get variables(): Record<string, tf.Variable> {
    return { ...this.encoder.variables, ...this.decoder.variables };
  }

  /** Reconstructions of rating rows given as values (0 where unobserved), [batch, columns]. */
  reconstruct(values: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decoder.apply(this.encoder.apply(values, { inputGradient: false })));
  }

  private checkRows(x: tf.Tensor | BatchSource, caller: string): void {
    const shape = x instanceof tf.Tensor ? x.shape.slice(1) : x.itemShape;
    if (shape.length !== 2 || shape[0] !== 2 || shape[1] !== this.config.columns) {
      const rows = this.config.kind === 'item' ? 'item rows (one per item, a column per user)' : 'user rows';
      throw new Error(
        `AutoRec.${caller}: expected ${rows} of shape [2, ${this.config.columns}] (ratings, mask), got ` +
          `[${shape}]. Build them with ratingRows(train, '${this.config.kind}') of @vae/data.`,
      );
    }
  }

  private terms(
    x: tf.Tensor,
    reduction: 'mean' | 'none',
  ): { reconstruction: tf.Tensor; regularizer: tf.Scalar } {
    const { values, mask } = maskedRows(x);
    const predictions = this.reconstruct(values);
    const reconstruction = maskedSquaredError(values, predictions, mask, { reduction });
    const decay = (this.config.weightDecay / 2 / this.trainingRows) as number;
    const regularizer =
      decay > 0 ? tf.mul(l2Penalty([this.encoder.kernel, this.decoder.kernel]), decay) : tf.scalar(0);
    return { reconstruction, regularizer: regularizer as tf.Scalar };
  }

  trainingLoss(x: tf.Tensor, _context?: ObjectiveContext): { total: tf.Scalar; terms: LossTermScalars } {
    this.checkRows(x, 'trainingLoss');
    const { reconstruction, regularizer } = this.terms(x, 'mean');
    const zero = tf.scalar(0);
    return {
      total: tf.add(reconstruction, regularizer) as tf.Scalar,
      terms: { reconstruction: reconstruction as tf.Scalar, kl: zero, weightedKl: zero, regularizer },
    };
  }

  /** The objective's terms per row over `data` (squared error on observed ratings, and the weight decay). */
  async evaluate(data: BatchSource, options: { batchSize?: number } = {}): Promise<LossTerms> {
    this.checkRows(data, 'evaluate');
    if (data.size < 1) throw new Error('AutoRec.evaluate: the data source is empty.');
    let sum = 0;
    let regularizer = 0;
    for (const [start, end] of batchRanges(data.size, options.batchSize ?? 256)) {
      const out = tf.tidy(() => {
        const x = data.batch(Int32Array.from({ length: end - start }, (_, i) => start + i));
        const t = this.terms(x, 'none');
        return tf.stack([tf.sum(t.reconstruction), t.regularizer]);
      });
      const [s, r] = await out.data();
      out.dispose();
      sum += s;
      regularizer = r;
    }
    const reconstruction = sum / data.size;
    return { reconstruction, kl: 0, weightedKl: 0, regularizer, total: reconstruction + regularizer };
  }

  assertTrainable(): void {}

  async prepareTraining(data: BatchSource): Promise<void> {
    this.checkRows(data, 'fit');
    this.trainingRows = Math.max(1, data.size);
  }

  /** The weight decay is divided by the training rows: data-parallel replicas need their count. */
  replicaState(): { trainingRows: number } {
    return { trainingRows: this.trainingRows };
  }

  restoreReplicaState(state: unknown): void {
    const rows = (state as { trainingRows?: unknown } | null)?.trainingRows;
    if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1) {
      throw new Error(
        `AutoRec: a replica's state needs trainingRows, a positive integer; got ${JSON.stringify(state)}.`,
      );
    }
    this.trainingRows = rows;
  }

  /** Trains with the shared loop (`train` of this package); see `FitOptions`. */
  fit(data: BatchSource, options: FitOptions = {}): Promise<History> {
    return train(this, data, options);
  }

  /**
   * Predicted ratings of (user, item) pairs from the training rows (the same `RatingRows` the model was trained on):
   * I-AutoRec reads item i's row and takes its entry u. Predictions are clipped to `range` when given. Users or items
   * without training ratings get what the network makes of an empty row; `ratingErrors` of `@vae/metrics` replaces
   * them with the paper's default. Leaks no tensors.
   */
  async predict(
    rows: BatchSource,
    pairs: RatingPairs,
    options: { batchSize?: number; range?: readonly [number, number] } = {},
  ): Promise<Float32Array> {
    this.checkRows(rows, 'predict');
    const byItem = this.config.kind === 'item';
    const rowOf = byItem ? pairs.items : pairs.users;
    const columnOf = byItem ? pairs.users : pairs.items;
    const n = rowOf.length;
    if (columnOf.length !== n) throw new Error('AutoRec.predict: users and items must have the same length.');
    const columns = this.config.columns;
    // Group pairs by row (counting sort), so each needed row is reconstructed once.
    const counts = new Int32Array(rows.size + 1);
    for (let k = 0; k < n; k++) {
      const r = rowOf[k];
      const c = columnOf[k];
      if (!Number.isInteger(r) || r < 0 || r >= rows.size || !Number.isInteger(c) || c < 0 || c >= columns) {
        throw new Error(
          `AutoRec.predict: pair ${k} (user ${pairs.users[k]}, item ${pairs.items[k]}) lies outside the ` +
            `${byItem ? `${columns} users x ${rows.size} items` : `${rows.size} users x ${columns} items`} of the model.`,
        );
      }
      counts[r + 1]++;
    }
    for (let r = 0; r < rows.size; r++) counts[r + 1] += counts[r];
    const order = new Int32Array(n);
    const fill = counts.slice(0, rows.size);
    for (let k = 0; k < n; k++) order[fill[rowOf[k]]++] = k;
    const needed: number[] = [];
    for (let r = 0; r < rows.size; r++) if (counts[r + 1] > counts[r]) needed.push(r);
    const out = new Float32Array(n);
    const batchSize = options.batchSize ?? 256;
    const [low, high] = options.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (const [start, end] of batchRanges(needed.length, batchSize)) {
      const batchRows = needed.slice(start, end);
      const flat: number[] = [];
      const targets: number[] = [];
      batchRows.forEach((r, j) => {
        for (let at = counts[r]; at < counts[r + 1]; at++) {
          const k = order[at];
          flat.push(j * columns + columnOf[k]);
          targets.push(k);
        }
      });
      const values = tf.tidy(() => {
        const { values: ratings } = maskedRows(rows.batch(batchRows));
        return tf.gather(tf.reshape(this.reconstruct(ratings), [-1]), tf.tensor1d(flat, 'int32'));
      });
      const predicted = await values.data();
      values.dispose();
      for (let m = 0; m < targets.length; m++) {
        out[targets[m]] = Math.min(high, Math.max(low, predicted[m]));
      }
    }
    return out;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
