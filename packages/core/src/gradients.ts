/**
 * tfjs-core ships the gradients of its ops separately from the ops. Training needs them registered once per
 * process, into tfjs's global gradient registry; importing `@vae/core` does it, so a user of `@vae/*` never meets
 * "gradient function not found". It picks no backend.
 *
 * Where they come from depends on the environment, through the `#register-gradients` import of package.json:
 * bundlers (browsers, workers) load tfjs-core's own `register_all_gradients` ES module, about 23 kB gzipped, not
 * the whole of tfjs-layers; Node loads `@tensorflow/tfjs-layers`, whose CommonJS bundle registers them (tfjs-core's
 * ES files do not load in Node, and its CommonJS bundle has no gradients).
 */
import '#register-gradients';
