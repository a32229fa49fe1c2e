/**
 * Encoders and decoders built from a `ModelConfig`: dense layers (`Dense` of @vae/core, with its fast hand-written
 * backward pass), strided convolutions (`convBlock` of @vae/core with its own convolution layers, whose gradients
 * run on every backend, wasm included) followed by dense layers, or a user-supplied tfjs Layers model. Every variable gets a stable model-local name (the names of saved weights):
 * `encoder/hidden0/kernel`, `encoder/conv1/bias`, `decoder/logits/kernel`, `encoder/layers/<layer>/kernel`, ...
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Activation, Dense } from '@vae/core';
import type { ModelConfig, SerializedNetwork } from '../base/config';
import { layersSupport } from './layers-support';

/** A seed for each layer in turn (undefined: random initialization). */
export type SeedSource = () => number | undefined;

/** Writes a tfjs Layers model as JSON for a config. */
export function serializeNetwork(model: tfl.LayersModel): SerializedNetwork {
  return JSON.parse(JSON.stringify({ className: model.getClassName(), config: model.getConfig() }));
}

/**
 * Rebuilds a tfjs Layers model from `serializeNetwork`'s JSON (fresh weights). Needs `@vae/models/layers` (see
 * layers-support.ts).
 */
export function deserializeNetwork(network: SerializedNetwork, where: string): tfl.LayersModel {
  return layersSupport(where, 'a tfjs Layers network saved in the config').deserialize(network, where);
}

function layerVariables(model: tfl.LayersModel, prefix: string): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const weight of model.weights) out[`${prefix}/${weight.originalName}`] = weight.read() as tf.Variable;
  return out;
}

function trunkVariables(model: tfl.LayersModel, prefix: string): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  model.layers.forEach((layer, i) => {
    for (const weight of layer.weights) {
      const short = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
      out[`${prefix}${i}/${short}`] = weight.read() as tf.Variable;
    }
  });
  return out;
}

/** Layer classes whose gradients the wasm backend of tfjs 4.22 cannot compute (or computes wrongly). */
const WASM_UNTRAINABLE: Record<string, string> = {
  Conv1D: 'no Conv2DBackpropFilter kernel',
  Conv2D: 'no Conv2DBackpropFilter kernel',
  Conv2DTranspose: 'no Conv2DBackpropFilter kernel',
  SeparableConv2D: 'no DepthwiseConv2dNativeBackpropFilter kernel',
  DepthwiseConv2D: 'no DepthwiseConv2dNativeBackpropFilter kernel',
  Embedding: 'no UnsortedSegmentSum kernel',
  MaxPooling2D: 'a wrong maxPool gradient',
};

function untrainableOnWasm(model: tfl.LayersModel | null): string[] {
  if (model === null) return [];
  const found: string[] = [];
  const visit = (layers: tfl.layers.Layer[]) => {
    for (const layer of layers) {
      const reason = WASM_UNTRAINABLE[layer.getClassName()];
      if (reason) found.push(`${layer.name} (${layer.getClassName()}: ${reason})`);
      const nested = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
      if (nested) visit(nested);
    }
  };
  visit(model.layers);
  return found;
}

function outputSize(model: tfl.LayersModel): number | null {
  const shape = model.outputs[0].shape;
  if (shape.slice(1).some((d) => d === null)) return null;
  return (shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
}

/** What builds an encoder: the shared config plus the head that the model needs. */
export interface EncoderSpec {
  className: string;
  config: ModelConfig;
  /** Units of the output layer (e.g. 2 * latentDim for a Gaussian posterior, latentDim for a code). */
  outputUnits: number;
  /** Name of the output layer, e.g. 'posterior' or 'code'. */
  outputName: string;
  outputActivation?: Activation;
  /** Size of a condition (one-hot label) concatenated to the input of the dense layers. Default 0. */
  conditionSize?: number;
  /** A user-supplied encoder (takes the place of `config.layers.encoder`). */
  model?: tfl.LayersModel;
  seeds: SeedSource;
}

/** An encoder: x [batch, ...inputShape] (or flat rows) -> [batch, outputUnits]. */
export class EncoderNetwork {
  private readonly trunk: tfl.LayersModel | null = null;
  private readonly custom: tfl.LayersModel | null = null;
  private readonly hidden: Dense[] = [];
  private readonly output: Dense | null = null;
  private readonly inputShape: number[];
  private readonly inputSize: number;
  private readonly conditionSize: number;
  readonly kind: 'mlp' | 'conv' | 'layers';

  constructor(spec: EncoderSpec) {
    const { config, seeds } = spec;
    this.inputShape = config.inputShape;
    this.inputSize = config.inputShape.reduce((a, b) => a * b, 1);
    this.conditionSize = spec.conditionSize ?? 0;
    const saved = config.layers?.encoder;
    if (spec.model || saved) {
      this.kind = 'layers';
      this.custom = spec.model ?? deserializeNetwork(saved as SerializedNetwork, `${spec.className} encoder`);
      const inputShape = this.custom.inputs[0].shape;
      const expectedInput = this.inputSize + this.conditionSize;
      if (this.conditionSize > 0 && (inputShape.length !== 2 || inputShape[1] !== expectedInput)) {
        throw new Error(
          `${spec.className}: a conditional encoder takes flat rows with the one-hot label appended, ` +
            `[batch, ${expectedInput}]; the given encoder takes [${inputShape.map((d) => d ?? 'batch')}].`,
        );
      }
      const size = outputSize(this.custom);
      if (size !== spec.outputUnits) {
        throw new Error(
          `${spec.className}: the encoder must output [batch, ${spec.outputUnits}] (${spec.outputName}); the given ` +
            `model outputs [${this.custom.outputs[0].shape.map((d) => d ?? 'batch')}].`,
        );
      }
      return;
    }
    this.kind = config.network;
    let size = this.inputSize;
    if (config.network === 'conv') {
      this.trunk = layersSupport(spec.className, "network: 'conv'").convTrunk({ config, seed: seeds() });
      size = outputSize(this.trunk) as number;
    }
    size += this.conditionSize;
    this.hidden = config.hiddenUnits.map((units, i) => {
      const layer = new Dense(size, units, {
        activation: config.activation,
        seed: seeds(),
        name: `encoder/hidden${i}`,
      });
      size = units;
      return layer;
    });
    this.output = new Dense(size, spec.outputUnits, {
      activation: spec.outputActivation ?? 'linear',
      seed: seeds(),
      name: `encoder/${spec.outputName}`,
    });
  }

  /** The dense layers' kernels in order (the first is the input layer's when there are no convolutions). */
  get denseLayers(): Dense[] {
    return this.output ? [...this.hidden, this.output] : [];
  }

  get variables(): Record<string, tf.Variable> {
    if (this.custom) return layerVariables(this.custom, 'encoder/layers');
    return Object.assign(
      this.trunk ? trunkVariables(this.trunk, 'encoder/conv') : {},
      ...this.denseLayers.map((l) => l.variables),
    );
  }

  /** Layers the wasm backend cannot train, with the reason; empty when training works everywhere. */
  untrainableOnWasm(): string[] {
    return untrainableOnWasm(this.custom ?? this.trunk);
  }

  /**
   * `x` is [batch, inputSize] or [batch, ...inputShape]. `dataInput`: x is data (no input gradient needed).
   * `condition` [batch, conditionSize] is appended to the input of the dense layers.
   */
  apply(
    x: tf.Tensor,
    options: { dataInput?: boolean; condition?: tf.Tensor2D; training?: boolean } = {},
  ): tf.Tensor2D {
    return tf.tidy(() => {
      const batch = x.shape[0];
      const flat = (): tf.Tensor2D =>
        x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [batch, this.inputSize]) as tf.Tensor2D);
      const withCondition = (h: tf.Tensor2D): tf.Tensor2D =>
        options.condition ? (tf.concat([h, options.condition], 1) as tf.Tensor2D) : h;
      if (this.custom) {
        const rank = this.custom.inputs[0].shape.length;
        const input = rank === 2 ? withCondition(flat()) : tf.reshape(x, [batch, ...this.inputShape]);
        const y = this.custom.apply(input, { training: options.training ?? false }) as tf.Tensor;
        return tf.reshape(y, [batch, -1]) as tf.Tensor2D;
      }
      let h: tf.Tensor2D;
      let dataInput = options.dataInput ?? false;
      if (this.trunk) {
        const image = tf.reshape(x, [batch, ...this.inputShape]);
        // layer by layer, so that the first convolution skips its input gradient when x is data (core's ConvLayer
        // reads `inputGradient` from the call's arguments; other layers ignore it)
        const training = options.training ?? false;
        h = this.trunk.layers.reduce<tf.Tensor>(
          (t, layer, i) => layer.apply(t, { training, inputGradient: i > 0 || !dataInput }) as tf.Tensor,
          image,
        ) as tf.Tensor2D;
        dataInput = false;
      } else {
        h = flat();
      }
      h = withCondition(h);
      for (const layer of this.denseLayers) {
        h = layer.apply(h, { inputGradient: !dataInput });
        dataInput = false;
      }
      return h;
    });
  }

  dispose(): void {
    this.trunk?.dispose();
    this.custom?.dispose();
    for (const layer of this.denseLayers) layer.dispose();
  }
}

/** One output of a decoder, per pixel: e.g. Bernoulli 'logits', or a Gaussian's 'mean' and 'logVar'. */
export interface HeadSpec {
  name: string;
}

export interface DecoderSpec {
  className: string;
  config: ModelConfig;
  /** The decoder's outputs, each with one value per input pixel (flattened). */
  heads: HeadSpec[];
  conditionSize?: number;
  model?: tfl.LayersModel;
  seeds: SeedSource;
}

/** A decoder: z [batch, latentDim] (plus a condition) -> one [batch, inputSize] tensor per head. */
export class DecoderNetwork {
  private readonly hidden: Dense[] = [];
  private readonly heads: Dense[] = [];
  private readonly project: Dense | null = null;
  private readonly trunk: tfl.LayersModel | null = null;
  private readonly custom: tfl.LayersModel | null = null;
  private readonly inputSize: number;
  private readonly headCount: number;
  private readonly projectShape: number[] = [];
  readonly kind: 'mlp' | 'conv' | 'layers';

  constructor(spec: DecoderSpec) {
    const { config, seeds } = spec;
    const conditionSize = spec.conditionSize ?? 0;
    this.inputSize = config.inputShape.reduce((a, b) => a * b, 1);
    this.headCount = spec.heads.length;
    const saved = config.layers?.decoder;
    if (spec.model || saved) {
      this.kind = 'layers';
      this.custom = spec.model ?? deserializeNetwork(saved as SerializedNetwork, `${spec.className} decoder`);
      const inputShape = this.custom.inputs[0].shape;
      const expectedInput = config.latentDim + conditionSize;
      if (inputShape.length !== 2 || inputShape[1] !== expectedInput) {
        throw new Error(
          `${spec.className}: the decoder must take codes [batch, ${expectedInput}]` +
            (conditionSize ? ' (z with the one-hot label appended)' : '') +
            `; the given model takes [${inputShape.map((d) => d ?? 'batch')}].`,
        );
      }
      const expected = this.inputSize * this.headCount;
      if (outputSize(this.custom) !== expected) {
        throw new Error(
          `${spec.className}: the decoder must output ${expected} values per example ` +
            `(${spec.heads.map((h) => h.name).join(' and ')}, ${this.inputSize} each, before any output activation); ` +
            `the given model outputs [${this.custom.outputs[0].shape.map((d) => d ?? 'batch')}].`,
        );
      }
      return;
    }
    this.kind = config.network;
    // Checked before any layer exists, so a missing plug-in leaves nothing to dispose.
    const support = config.network === 'conv' ? layersSupport(spec.className, "network: 'conv'") : null;
    let size = config.latentDim + conditionSize;
    this.hidden = [...config.hiddenUnits].reverse().map((units, i) => {
      const layer = new Dense(size, units, {
        activation: config.activation,
        seed: seeds(),
        name: `decoder/hidden${i}`,
      });
      size = units;
      return layer;
    });
    if (support) {
      const [height, width, channels] = config.inputShape;
      const factor = 2 ** config.filters.length;
      const last = config.filters[config.filters.length - 1];
      this.projectShape = [height / factor, width / factor, last];
      this.project = new Dense(size, (height / factor) * (width / factor) * last, {
        activation: config.activation,
        seed: seeds(),
        name: 'decoder/project',
      });
      const filters = [...config.filters.slice(0, -1).reverse(), channels * this.headCount];
      this.trunk = support.convTrunk({
        config,
        seed: seeds(),
        transposed: { inputShape: this.projectShape, filters },
      });
      return;
    }
    this.heads = spec.heads.map(
      (head) => new Dense(size, this.inputSize, { seed: seeds(), name: `decoder/${head.name}` }),
    );
  }

  get variables(): Record<string, tf.Variable> {
    if (this.custom) return layerVariables(this.custom, 'decoder/layers');
    const dense = [...this.hidden, ...(this.project ? [this.project] : []), ...this.heads];
    return Object.assign(
      {},
      ...dense.map((l) => l.variables),
      this.trunk ? trunkVariables(this.trunk, 'decoder/deconv') : {},
    );
  }

  untrainableOnWasm(): string[] {
    return untrainableOnWasm(this.custom ?? this.trunk);
  }

  /** One [batch, inputSize] tensor per head (raw outputs: logits, means before activation, log-variances). */
  apply(z: tf.Tensor2D, options: { condition?: tf.Tensor2D; training?: boolean } = {}): tf.Tensor2D[] {
    return tf.tidy(() => {
      const batch = z.shape[0];
      let h = options.condition ? (tf.concat([z, options.condition], 1) as tf.Tensor2D) : z;
      if (this.custom) {
        const y = this.custom.apply(h, { training: options.training ?? false }) as tf.Tensor;
        const rows = tf.reshape(y, [batch, this.headCount * this.inputSize]) as tf.Tensor2D;
        return this.headCount === 1 ? [rows] : (tf.split(rows, this.headCount, 1) as tf.Tensor2D[]);
      }
      for (const layer of this.hidden) h = layer.apply(h);
      if (this.trunk && this.project) {
        const map = tf.reshape(this.project.apply(h), [batch, ...this.projectShape]);
        const out = this.trunk.apply(map, { training: options.training ?? false }) as tf.Tensor4D;
        const parts = this.headCount === 1 ? [out] : tf.split(out, this.headCount, 3);
        return parts.map((p) => tf.reshape(p, [batch, this.inputSize]) as tf.Tensor2D);
      }
      const features = h;
      return this.heads.map((head) => head.apply(features));
    });
  }

  dispose(): void {
    this.trunk?.dispose();
    this.custom?.dispose();
    for (const layer of [...this.hidden, ...this.heads]) layer.dispose();
    this.project?.dispose();
  }
}
