/**
 * The VQ-VAE of van den Oord, Vinyals and Kavukcuoglu, "Neural discrete representation learning" (NeurIPS 2017):
 * the encoder's output z_e(x) is read as `positions` vectors of `embeddingDim` values, each replaced by its nearest
 * entry of a learned codebook of `codebookSize` vectors; the decoder sees the quantized z_q(x) and its gradient is
 * copied straight through to the encoder. The objective is
 *
 *   -log p(x|z_q) + ||sg[z_e] - e||^2 + beta ||z_e - sg[e]||^2  (- log p(k) for the prior, see below),
 *
 * or, with `codebookUpdate: 'ema'`, the codebook follows exponential moving averages of the encoder outputs assigned
 * to each entry (the paper's appendix) and the codebook term drops out. The maths is core's `vectorQuantize` and
 * `emaCodebookUpdate`.
 *
 * The posterior over codes is one-hot (the nearest entry), so KL(q || p) = -log p(k(x)): with a learned prior p(k)
 * over the code indices the reported `kl` is that term, trained jointly (its gradient reaches only the prior, the
 * indices being discrete) and `reconstruction + kl` is the negative ELBO of the discrete latent model. The paper
 * fits an autoregressive PixelCNN prior after training; here the prior is a categorical per position or a small
 * autoregressive one (a masked linear layer over the one-hot codes, MADE-style), enough to sample.
 * `codebookUsage` reports how many entries are used and the perplexity of their histogram.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropyWithLogits,
  codebookPerplexity,
  emaCodebookUpdate,
  floatOneHot,
  gaussianNegativeLogLikelihoodFixedVariance,
  nearestCodes,
  Random,
  range,
  reportProgress,
  uniqueVariableName,
  vectorQuantize,
} from '@vae/core';
import { BaseModel, type BatchOptions, type DataInput, type NetworkPart } from '../base/model';
import { DecoderNetwork, EncoderNetwork } from '../networks/networks';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { type CustomNetworks, withCustomNetworks } from '../vae/vae.model';
import { resolveVQVAEConfig, type VQVAEConfig } from './vqvae.config';

/** How a data set uses the codebook (`VQVAE.codebookUsage`). */
export interface CodebookUsage {
  /** How often each entry was the nearest, [codebookSize], over every position of every example. */
  counts: Float64Array;
  /** Entries used at least once. */
  used: number;
  /** used / codebookSize. */
  usage: number;
  /** exp(entropy) of the histogram: the number of equally used entries it amounts to. */
  perplexity: number;
}

export class VQVAE extends BaseModel<VQVAEConfig> {
  static readonly className: string = 'VQVAE';
  protected readonly encoder: EncoderNetwork;
  protected readonly decoder: DecoderNetwork;
  private readonly own: Record<string, tf.Variable>;

  static resolveConfig(config: Partial<VQVAEConfig>): VQVAEConfig {
    return resolveVQVAEConfig(config);
  }

  constructor(config: Partial<VQVAEConfig> = {}, networks: CustomNetworks = {}) {
    const resolve = (new.target as unknown as typeof VQVAE).resolveConfig;
    super(resolve(withCustomNetworks(config, networks)));
    const random = this.config.seed === undefined ? undefined : new Random(this.config.seed);
    const seeds = () => random?.nextSeed();
    this.encoder = new EncoderNetwork({
      className: this.className,
      config: this.config,
      outputUnits: this.latentDim,
      outputName: 'code',
      model: networks.encoder,
      seeds,
    });
    try {
      this.decoder = new DecoderNetwork({
        className: this.className,
        config: this.config,
        heads: [{ name: this.config.likelihood === 'bernoulli' ? 'logits' : 'mean' }],
        model: networks.decoder,
        seeds,
      });
    } catch (error) {
      this.encoder.dispose();
      throw error;
    }
    const { codebookSize: k, embeddingDim: d, positions: p, codebookUpdate, codePrior } = this.config;
    const seed = seeds();
    const ema = codebookUpdate === 'ema';
    const variable = (name: string, trainable: boolean, value: () => tf.Tensor) =>
      tf.tidy(() => tf.variable(value(), trainable, uniqueVariableName(name)));
    // The paper's code initializes the codebook uniformly in [-1/K, 1/K].
    const initial = () => tf.randomUniform([k, d], -1 / k, 1 / k, 'float32', seed);
    this.own = {};
    try {
      this.buildOwn(k, p, ema, codePrior, variable, initial);
    } catch (error) {
      // e.g. a codebook too large to allocate: nothing built so far stays behind
      this.encoder.dispose();
      this.decoder.dispose();
      tf.dispose(Object.values(this.own));
      throw error;
    }
  }

  /** The codebook (and its moving averages) and the prior's variables. */
  private buildOwn(
    k: number,
    p: number,
    ema: boolean,
    codePrior: VQVAEConfig['codePrior'],
    variable: (name: string, trainable: boolean, value: () => tf.Tensor) => tf.Variable,
    initial: () => tf.Tensor,
  ): void {
    this.own['codebook/embeddings'] = variable('codebook/embeddings', !ema, initial);
    if (ema) {
      // Counts of 1 and sums equal to the initial codebook: sums / counts is the codebook from the first step on
      // (zero counts would divide the decayed initial sums by the first batch's small counts).
      this.own['codebook/clusterSizes'] = variable('codebook/clusterSizes', false, () => tf.ones([k]));
      this.own['codebook/sums'] = variable('codebook/sums', false, initial);
    }
    if (codePrior === 'categorical') {
      this.own['prior/logits'] = variable('prior/logits', true, () => tf.zeros([p, k]));
    } else {
      this.own['prior/kernel'] = variable('prior/kernel', true, () => tf.zeros([p * k, p * k]));
      this.own['prior/bias'] = variable('prior/bias', true, () => tf.zeros([p * k]));
      // The autoregressive mask: input (position j, code a) feeds output (position i, code b) only when j < i.
      this.mask = tf.tidy(() => {
        const position = tf.floorDiv(tf.range(0, p * k, 1, 'int32'), k);
        return tf.cast(
          tf.less(tf.expandDims(position, 1), tf.expandDims(position, 0)),
          'float32',
        ) as tf.Tensor2D;
      });
    }
  }

  protected get networks(): NetworkPart[] {
    return [this.encoder, this.decoder];
  }

  get variables(): Record<string, tf.Variable> {
    return { ...this.encoder.variables, ...this.decoder.variables, ...this.own };
  }

  /** The codebook, [codebookSize, embeddingDim]. */
  get codebook(): tf.Variable {
    return this.own['codebook/embeddings'];
  }

  /** z_e(x) as rows of code vectors, [batch * positions, embeddingDim]. */
  private encoderRows(rows: tf.Tensor2D, dataInput: boolean): tf.Tensor2D {
    const out = this.encoder.apply(rows, { dataInput });
    return tf.reshape(out, [rows.shape[0] * this.config.positions, this.config.embeddingDim]);
  }

  /** The nearest codebook entry of each position, int32 [batch, positions]. */
  encodeIndices(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const indices = nearestCodes(this.encoderRows(rows, true), this.codebook as tf.Tensor2D);
      return tf.reshape(indices, [rows.shape[0], this.config.positions]) as tf.Tensor2D;
    });
  }

  /** The quantized code z_q(x), flat: [batch, positions * embeddingDim] (what `decode` takes). */
  encode(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.codesOf(this.flatten(x)));
  }

  /**
   * The codebook vectors of indices [batch, positions], flat: [batch, positions * embeddingDim]. The indices are
   * checked (integers in [0, codebookSize)), which reads them back from the backend.
   */
  codesFromIndices(indices: tf.Tensor): tf.Tensor2D {
    this.assertAlive();
    const { positions, codebookSize } = this.config;
    if (indices.rank !== 2 || indices.shape[1] !== positions) {
      throw new Error(
        `${this.className}: expected code indices of shape [batch, ${positions}], got [${indices.shape}].`,
      );
    }
    const values = indices.dataSync();
    if (values.some((v) => !Number.isInteger(v) || v < 0 || v >= codebookSize)) {
      throw new Error(`${this.className}: code indices must be integers in [0, ${codebookSize}).`);
    }
    return this.lookUp(indices);
  }

  private lookUp(indices: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.reshape(tf.cast(indices, 'int32'), [-1]);
      return tf.reshape(tf.gather(this.codebook, flat), [indices.shape[0], this.latentDim]) as tf.Tensor2D;
    });
  }

  /** Decodes code indices [batch, positions] (checked as `codesFromIndices` says): [batch, ...inputShape]. */
  decodeIndices(indices: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.decode(this.codesFromIndices(indices)));
  }

  protected codesOf(rows: tf.Tensor2D): tf.Tensor2D {
    const z = this.encoderRows(rows, true);
    const indices = nearestCodes(z, this.codebook as tf.Tensor2D);
    return tf.reshape(tf.gather(this.codebook, indices), [rows.shape[0], this.latentDim]) as tf.Tensor2D;
  }

  private decoderOutput(z: tf.Tensor2D): tf.Tensor2D {
    return this.decoder.apply(z)[0];
  }

  protected decodeRows(z: tf.Tensor2D): tf.Tensor2D {
    const out = this.decoderOutput(z);
    return this.config.likelihood === 'gaussian' && this.config.meanActivation === 'linear'
      ? out
      : (tf.sigmoid(out) as tf.Tensor2D);
  }

  /** -log p(x|z_q) per row, [batch], nats. */
  private negativeLogLikelihood(rows: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor1D {
    const out = this.decoderOutput(z);
    if (this.config.likelihood === 'bernoulli') {
      return binaryCrossEntropyWithLogits(rows, out, { reduction: 'none' }) as tf.Tensor1D;
    }
    const mean = this.config.meanActivation === 'sigmoid' ? tf.sigmoid(out) : out;
    return gaussianNegativeLogLikelihoodFixedVariance(rows, mean, {
      variance: this.config.variance,
      reduction: 'none',
    }) as tf.Tensor1D;
  }

  /** Logits of the prior over codes, [batch, positions, codebookSize], given the codes (autoregressive: those before). */
  private priorLogits(indices: tf.Tensor2D): tf.Tensor3D {
    const { positions: p, codebookSize: k } = this.config;
    const batch = indices.shape[0];
    if (this.config.codePrior === 'categorical') {
      return tf.tile(tf.expandDims(this.own['prior/logits'], 0), [batch, 1, 1]) as tf.Tensor3D;
    }
    const oneHot = tf.reshape(floatOneHot(tf.reshape(indices, [-1]), k), [batch, p * k]);
    const logits = tf.add(
      tf.matMul(oneHot, tf.mul(this.own['prior/kernel'], this.mask as tf.Tensor2D)),
      this.own['prior/bias'],
    );
    return tf.reshape(logits, [batch, p, k]) as tf.Tensor3D;
  }

  private mask?: tf.Tensor2D;

  override dispose(): void {
    this.mask?.dispose();
    this.mask = undefined;
    super.dispose();
  }

  /** log p(k) of code indices [batch, positions] under the learned prior, [batch], nats. */
  logPriorOfCodes(indices: tf.Tensor2D): tf.Tensor1D {
    this.assertAlive();
    return tf.tidy(() => {
      const logProbs = tf.logSoftmax(this.priorLogits(tf.cast(indices, 'int32') as tf.Tensor2D));
      const picked = tf.mul(logProbs, floatOneHot(indices, this.config.codebookSize));
      return tf.sum(picked, [1, 2]) as tf.Tensor1D;
    });
  }

  /** The terms of a batch, per example: reconstruction, -log p(k), codebook and commitment terms. */
  private rowTerms(rows: tf.Tensor2D, training: boolean) {
    const { positions: p } = this.config;
    const batch = rows.shape[0];
    const z = this.encoderRows(rows, training);
    const q = vectorQuantize(z, this.codebook as tf.Tensor2D);
    const reconstruction = this.negativeLogLikelihood(
      rows,
      tf.reshape(q.quantized, [batch, this.latentDim]) as tf.Tensor2D,
    );
    const indices = tf.reshape(q.indices, [batch, p]) as tf.Tensor2D;
    const kl = tf.neg(this.logPriorOfCodes(indices)) as tf.Tensor1D;
    const perExample = (t: tf.Tensor1D) => tf.sum(tf.reshape(t, [batch, p]), 1) as tf.Tensor1D;
    return {
      reconstruction,
      kl,
      codebook: perExample(q.codebookLoss),
      commitment: perExample(q.commitmentLoss),
      z,
      indices: q.indices,
    };
  }

  /**
   * The objective for a batch: reconstruction + kl (-log p(k) under the learned prior) + codebook term ('loss'
   * mode) + commitment * commitment term; `regularizer` reports the last two. In `fit` with `codebookUpdate: 'ema'`,
   * each step also moves the codebook's moving averages.
   */
  /** The EMA codebook is updated by the objective itself, outside the optimizer: replicas would each keep their own. */
  dataParallelObstacle(): string | null {
    return this.config.codebookUpdate === 'ema'
      ? "its codebook follows moving averages updated inside each step, which the replicas cannot share (codebookUpdate: 'loss' can be split)"
      : null;
  }

  trainingLoss(x: tf.Tensor, context: ObjectiveContext = {}): { total: tf.Scalar; terms: LossTermScalars } {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const training = context.training ?? false;
      const terms = this.rowTerms(rows, training);
      const ema = this.config.codebookUpdate === 'ema';
      if (training && ema) this.updateCodebook(terms.z, terms.indices);
      const reconstruction = tf.mean(terms.reconstruction) as tf.Scalar;
      const kl = tf.mean(terms.kl) as tf.Scalar;
      const commitment = tf.mul(this.config.commitment, tf.mean(terms.commitment));
      const regularizer = (ema ? commitment : tf.add(commitment, tf.mean(terms.codebook))) as tf.Scalar;
      return {
        total: tf.addN([reconstruction, kl, regularizer]) as tf.Scalar,
        terms: { reconstruction, kl, weightedKl: tf.clone(kl), regularizer },
      };
    });
  }

  private updateCodebook(z: tf.Tensor2D, indices: tf.Tensor1D): void {
    const sizes = this.own['codebook/clusterSizes'];
    const sums = this.own['codebook/sums'];
    const next = emaCodebookUpdate(
      { clusterSizes: sizes as tf.Tensor1D, sums: sums as tf.Tensor2D },
      tf.tidy(() => tf.clone(z)),
      indices,
      { decay: this.config.emaDecay },
    );
    sizes.assign(next.clusterSizes);
    sums.assign(next.sums);
    this.codebook.assign(next.codebook);
  }

  /** Negative ELBO per example under the learned prior: -log p(x|z_q) - log p(k(x)), nats. */
  protected scoreRows(rows: tf.Tensor2D): tf.Tensor1D {
    const { reconstruction, kl } = this.rowTerms(rows, false);
    return tf.add(reconstruction, kl) as tf.Tensor1D;
  }

  /**
   * Draws code indices from the learned prior (position by position for the autoregressive one), int32
   * [count, positions]. `temperature` divides the logits.
   */
  sampleIndices(count: number, options: { temperature?: number; seed?: number } = {}): tf.Tensor2D {
    this.assertAlive();
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`${this.className}.sample: count must be a positive integer, got ${count}.`);
    }
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0))
      throw new Error(`${this.className}.sample: temperature must be > 0, got ${temperature}.`);
    const random = new Random(options.seed ?? Math.floor(Math.random() * 2 ** 31));
    const { positions: p } = this.config;
    return tf.tidy(() => {
      let indices = tf.zeros([count, p], 'int32') as tf.Tensor2D;
      const steps = this.config.codePrior === 'categorical' ? 1 : p;
      for (let step = 0; step < steps; step++) {
        const logits = tf.div(this.priorLogits(indices), temperature);
        const draws = tf.reshape(
          tf.multinomial(tf.reshape(logits, [count * p, -1]) as tf.Tensor2D, 1, random.nextSeed()),
          [count, p],
        );
        if (steps === 1) indices = draws as tf.Tensor2D;
        else {
          // keep the draws of positions <= step: the next step conditions on them
          const keep = tf.less(tf.range(0, p, 1, 'int32'), step + 1);
          indices = tf.where(keep, draws, indices) as tf.Tensor2D;
        }
      }
      return indices;
    });
  }

  /** Decodes `count` draws from the learned prior over codes: [count, ...inputShape]. */
  sample(count: number, options: { temperature?: number; seed?: number } = {}): tf.Tensor {
    return tf.tidy(() => this.decode(this.lookUp(this.sampleIndices(count, options))));
  }

  /**
   * The codebook's use over a data set: counts per entry, entries used, usage and perplexity. Reports progress and
   * stops on `signal` like `embed`.
   */
  async codebookUsage(data: DataInput, options: BatchOptions = {}): Promise<CodebookUsage> {
    const source = await this.toSource(data, options.labels, 'codebookUsage');
    const counts = new Float64Array(this.config.codebookSize);
    const batchSize = options.batchSize ?? 1000;
    for (let start = 0; start < source.size; start += batchSize) {
      const end = Math.min(source.size, start + batchSize);
      const indices = tf.tidy(() => this.encodeIndices(source.batch(range(start, end))));
      for (const k of await indices.data()) counts[k] += 1;
      indices.dispose();
      await reportProgress(options, end, source.size);
    }
    const used = counts.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
    return { counts, used, usage: used / counts.length, perplexity: codebookPerplexity(counts) };
  }
}
