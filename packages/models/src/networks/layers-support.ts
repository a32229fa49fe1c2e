/**
 * The parts of the encoders and decoders that need `@tensorflow/tfjs-layers` (about 45 kB gzipped): convolutional
 * trunks (`network: 'conv'`, core's `convBlock`) and tfjs Layers models saved in a config. They are a plug-in that
 * `@vae/models/layers` installs, so an app that uses the dense networks (the default) never loads tfjs-layers.
 * `@vae/models/node` installs it, and `loadModel` / `loadCheckpoint` import it themselves when a saved model needs it.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig, SerializedNetwork } from '../base/config';

export interface ConvTrunkOptions {
  config: ModelConfig;
  seed: number | undefined;
  /** Encoder: strided convolutions then flatten. Decoder: transposed convolutions from `inputShape` to `filters`. */
  transposed?: { inputShape: number[]; filters: number[] };
}

export interface LayersSupport {
  /** A convolutional trunk as a tfjs Sequential model (core's convBlock, trainable on wasm). */
  convTrunk(options: ConvTrunkOptions): tfl.LayersModel;
  /** Rebuilds a tfjs Layers model from `serializeNetwork`'s JSON (fresh weights). */
  deserialize(network: SerializedNetwork, where: string): tfl.LayersModel;
}

let installed: LayersSupport | null = null;

/** Installs the tfjs-layers parts (what `@vae/models/layers` does on import); `null` removes them (tests). */
export function installLayersSupport(support: LayersSupport | null): void {
  installed = support;
}

/** The installed tfjs-layers parts, or an error saying what `what` (in `where`) needs and how to get it. */
export function layersSupport(where: string, what: string): LayersSupport {
  if (installed) return installed;
  throw new Error(
    `${where}: ${what} needs @tensorflow/tfjs-layers, which @vae/models does not load by default (it keeps apps ` +
      "with dense networks about 45 kB gzipped lighter). Add `import '@vae/models/layers';` once before building " +
      "the model (Node's '@vae/models/node' does it, and loadModel does it by itself for saved models).",
  );
}

/** Whether a config needs the tfjs-layers parts (a convolutional trunk or a saved tfjs Layers model). */
export function needsLayersSupport(config: unknown): boolean {
  const c = config as Partial<ModelConfig> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    (c.network === 'conv' || (c.layers !== undefined && c.layers !== null))
  );
}
