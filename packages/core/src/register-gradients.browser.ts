/** Bundlers: tfjs-core's gradients from its own ES module (see gradients.ts). */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
