/**
 * tfjs-core ships the gradients of its ops separately from the ops. Training needs them registered once per
 * process. `@tensorflow/tfjs-layers` registers all of them on import, in Node (its CommonJS bundle) and in
 * bundlers (through tfjs-core's ES modules), into tfjs's global gradient registry. Importing it here means a user
 * of `@vae/*` never meets "gradient function not found". It picks no backend.
 */
import '@tensorflow/tfjs-layers';
