/**
 * Bundlers: tfjs-core's gradients from its own ES module (see gradients.ts). The `.js` is needed: webpack resolves
 * imports in `"type": "module"` packages (this one) fully specified.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
