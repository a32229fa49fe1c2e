/** The tfjs-layers parts of the networks (see layers-support.ts), installed by importing this module. */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { convBlock } from '@vae/core/layers';
import type { SerializedNetwork } from '../base/config';
import { installLayersSupport, type LayersSupport } from './layers-support';

const support: LayersSupport = {
  convTrunk({ config, seed, transposed }) {
    if (!transposed) {
      const layers = convBlock({
        filters: config.filters,
        kernelSize: config.kernelSize,
        activation: config.activation,
        inputShape: config.inputShape,
        name: 'encoder',
        seed,
        implementation: 'vae', // trainable on wasm too
      });
      return tfl.sequential({ layers: [...layers, tfl.layers.flatten()] });
    }
    const layers = convBlock({
      filters: transposed.filters,
      kernelSize: config.kernelSize,
      activation: config.activation,
      outputActivation: 'linear',
      transposed: true,
      inputShape: transposed.inputShape,
      name: 'decoder',
      seed,
      implementation: 'vae',
    });
    return tfl.sequential({ layers });
  },

  deserialize(network: SerializedNetwork, where: string): tfl.LayersModel {
    try {
      const config = network.config as tf.serialization.ConfigDict;
      if (network.className === 'Sequential') {
        return tfl.Sequential.fromConfig(tfl.Sequential, config) as tfl.LayersModel;
      }
      return tfl.LayersModel.fromConfig(tfl.LayersModel, config) as tfl.LayersModel;
    } catch (error) {
      throw new Error(
        `${where}: could not rebuild the saved tfjs Layers model (${(error as Error).message}). Custom layers must ` +
          'be registered with tf.serialization.registerClass before loading.',
        { cause: error },
      );
    }
  },
};

installLayersSupport(support);
