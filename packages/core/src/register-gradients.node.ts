/** Node: tfjs-core's gradients, registered by tfjs-layers' CommonJS bundle (see gradients.ts). */
import '@tensorflow/tfjs-layers';
