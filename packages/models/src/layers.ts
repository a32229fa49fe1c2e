/**
 * `@vae/models/layers`: import it once to build models with convolutional networks (`network: 'conv'`) or to
 * rebuild tfjs Layers networks saved in a config. It loads `@tensorflow/tfjs-layers` and core's Layers API layers
 * (`@vae/core/layers`), which the root entry leaves out. `@vae/models/node` imports it; `loadModel` imports it by
 * itself when a saved model needs it.
 */
import './networks/layers-networks';

export {
  type ConvTrunkOptions,
  installLayersSupport,
  type LayersSupport,
  layersSupport,
} from './networks/layers-support';
