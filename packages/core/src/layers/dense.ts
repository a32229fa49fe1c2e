/**
 * Dense layers for the tfjs Layers API whose backward pass uses explicit transposes (fast on wasm, identical
 * gradients): the maths is `fusedDense`, shared with `Dense`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ACTIVATIONS, type Activation, fusedDense } from '../dense';
import {
  type CallKwargs,
  checkSeed,
  type LayerArgs,
  type LayerShape,
  linearInitializer,
  singleInput,
  singleShape,
} from './common';

function checkActivation(layer: string, activation: Activation): void {
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${layer}: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
  }
}

function checkRows(layer: string, shape: LayerShape): number {
  const size = shape[shape.length - 1];
  if (shape.length !== 2 || size === null) {
    throw new Error(
      `${layer}: expected inputs of shape [batch, features], got [${shape.map((d) => d ?? 'null')}]. ` +
        'Add a flatten layer before it.',
    );
  }
  return size;
}

export interface DenseLayerArgs extends LayerArgs {
  /** Output size, a positive integer. */
  units: number;
  /** Nonlinearity after the affine map. Default 'linear'. */
  activation?: Activation;
  /** Whether to add a bias. Default true. */
  useBias?: boolean;
  /**
   * Whether the input needs a gradient. Set false for a first layer fed with data: saves one matMul per step.
   * Default true.
   */
  inputGradient?: boolean;
  /** Seed of the initializer (PyTorch's nn.Linear uniform). Omit for a random one. */
  seed?: number;
}

/**
 * `y = activation(x W + b)` with a hand-written backward pass (explicit transposes): about 4x faster to train on
 * wasm than tfjs' own dense layer, with the same gradients. Inputs [batch, features]. Weights: `kernel`
 * [features, units], `bias` [units]. Registered for serialization as 'VaeDense'.
 */
export class DenseLayer extends tfl.layers.Layer {
  static className = 'VaeDense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly inputGradient: boolean;
  readonly seed: number | undefined;
  kernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;

  constructor(args: DenseLayerArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`DenseLayer: units must be a positive integer, got ${args.units}.`);
    }
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    checkActivation('DenseLayer', this.activation);
    checkSeed('DenseLayer', args.seed);
    this.useBias = args.useBias ?? true;
    this.inputGradient = args.inputGradient ?? true;
    this.seed = args.seed;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const size = checkRows(`DenseLayer '${this.name}'`, singleShape('DenseLayer', inputShape));
    const seed = this.seed;
    this.kernel = this.addWeight('kernel', [size, this.units], 'float32', linearInitializer(size, seed));
    if (this.useBias) {
      const biasSeed = seed === undefined ? undefined : seed + 1;
      this.bias = this.addWeight('bias', [this.units], 'float32', linearInitializer(size, biasSeed));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape('DenseLayer', inputShape);
    checkRows(`DenseLayer '${this.name}'`, shape);
    return [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput('DenseLayer', inputs) as tf.Tensor2D;
      return fusedDense(x, (this.kernel as tfl.LayerVariable).read(), this.bias ? this.bias.read() : null, {
        activation: this.activation,
        inputGradient: this.inputGradient,
      });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      inputGradient: this.inputGradient,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(DenseLayer);

/**
 * A layer with a rank-2 `kernel` weight [inputSize, units], as `DenseLayer` and tfjs' dense layer have (what a
 * `TiedDenseLayer` ties to).
 */
export type WithKernel = tfl.layers.Layer & { kernel?: tfl.LayerVariable | null };

export interface TiedDenseLayerArgs extends LayerArgs {
  /**
   * The dense layer whose kernel W this layer uses transposed (W* = W^T): the layer object, or its name. A name
   * is looked up among the layers upstream of this one in its model when the layer first runs (this is how a
   * saved model finds it again), so the source must feed into this layer, as an encoder feeds its tied decoder.
   */
  source: tfl.layers.Layer | string;
  /**
   * Output size: the source's input size. Optional when `source` is a built layer object (it is read from the
   * kernel); required with a name. Saved in the config.
   */
  units?: number;
  /** Nonlinearity after the affine map. Default 'linear'. */
  activation?: Activation;
  /** Whether to add a bias of its own. Default true. */
  useBias?: boolean;
  /** Seed of the bias initializer. Omit for a random one. */
  seed?: number;
}

/**
 * A decoder layer tied to an encoder's dense layer: `y = activation(x W^T + b)` where W [inputSize, units] is the
 * source layer's kernel, shared (trained by both) and not duplicated; only the bias [inputSize] is this layer's
 * own weight. The backward pass is hand-written like `DenseLayer`'s. Registered for serialization as
 * 'VaeTiedDense' (the config stores the source's name).
 */
export class TiedDenseLayer extends tfl.layers.Layer {
  static className = 'VaeTiedDense';
  readonly sourceName: string;
  private sourceLayer: WithKernel | null;
  units: number | undefined;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  bias: tfl.LayerVariable | null = null;

  constructor(args: TiedDenseLayerArgs) {
    super(args);
    const source = args.source;
    if (typeof source === 'string') {
      if (source.length === 0)
        throw new Error('TiedDenseLayer: source must be a layer or a layer name, got "".');
      this.sourceName = source;
      this.sourceLayer = null;
    } else if (source instanceof tfl.layers.Layer) {
      this.sourceName = source.name;
      this.sourceLayer = source as WithKernel;
    } else {
      throw new Error(`TiedDenseLayer: source must be a dense layer or its name, got ${source}.`);
    }
    if (args.units !== undefined && (!Number.isInteger(args.units) || args.units < 1)) {
      throw new Error(`TiedDenseLayer: units must be a positive integer, got ${args.units}.`);
    }
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    checkActivation('TiedDenseLayer', this.activation);
    checkSeed('TiedDenseLayer', args.seed);
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
  }

  private resolveUnits(inputSize: number): number {
    const kernel = this.sourceLayer?.kernel;
    if (kernel) {
      const [sourceInput, sourceUnits] = kernel.shape as number[];
      if (sourceUnits !== inputSize) {
        throw new Error(
          `TiedDenseLayer '${this.name}': its input has ${inputSize} features but the source '${this.sourceName}' ` +
            `has ${sourceUnits} units (kernel [${kernel.shape}]); tie it to the layer whose output size it receives.`,
        );
      }
      if (this.units !== undefined && this.units !== sourceInput) {
        throw new Error(
          `TiedDenseLayer '${this.name}': units ${this.units} differs from the source's input size ${sourceInput}; ` +
            'omit units or pass the source input size.',
        );
      }
      return sourceInput;
    }
    if (this.units === undefined) {
      throw new Error(
        `TiedDenseLayer '${this.name}': cannot tell the output size before '${this.sourceName}' is built; ` +
          'pass units (the source layer input size).',
      );
    }
    return this.units;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const inputSize = checkRows(`TiedDenseLayer '${this.name}'`, singleShape('TiedDenseLayer', inputShape));
    this.units = this.resolveUnits(inputSize);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], 'float32', linearInitializer(inputSize, this.seed));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape('TiedDenseLayer', inputShape);
    const inputSize = checkRows(`TiedDenseLayer '${this.name}'`, shape);
    return [shape[0], this.units ?? this.resolveUnits(inputSize)];
  }

  /** The source layer, found by name among the upstream layers when it was given by name. */
  get source(): WithKernel {
    if (this.sourceLayer === null) this.sourceLayer = findUpstream(this, this.sourceName);
    if (this.sourceLayer === null) {
      throw new Error(
        `TiedDenseLayer '${this.name}': source layer '${this.sourceName}' was not found upstream of this layer. ` +
          'Build the model so that the source feeds into this layer, or pass the layer object as source.',
      );
    }
    return this.sourceLayer;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallKwargs): tf.Tensor {
    const source = this.source;
    const kernel = source.kernel;
    if (kernel?.shape.length !== 2) {
      throw new Error(
        `TiedDenseLayer '${this.name}': source '${this.sourceName}' has no rank-2 kernel; tie to a dense layer.`,
      );
    }
    return tf.tidy(() => {
      const x = singleInput('TiedDenseLayer', inputs) as tf.Tensor2D;
      return fusedDense(x, kernel.read(), this.bias ? this.bias.read() : null, {
        activation: this.activation,
        transposeKernel: true,
      });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      source: this.sourceName,
      activation: this.activation,
      useBias: this.useBias,
    };
    if (this.units !== undefined) config.units = this.units;
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(TiedDenseLayer);

/** Breadth-first search for a layer named `name` upstream of `start`, looking inside nested models too. */
function findUpstream(start: tfl.layers.Layer, name: string): WithKernel | null {
  const seen = new Set<tfl.layers.Layer>([start]);
  const queue: tfl.layers.Layer[] = [start];
  while (queue.length > 0) {
    const layer = queue.shift() as tfl.layers.Layer;
    const nested = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers ?? [];
    for (const next of [...layer.inboundNodes.flatMap((node) => node.inboundLayers), ...nested]) {
      if (seen.has(next)) continue;
      if (next.name === name) return next as WithKernel;
      seen.add(next);
      queue.push(next);
    }
  }
  return null;
}
