// Picks the tfjs WebGPU backend for the browser:webgpu project (SwiftShader's adapter in headless Chromium,
// enabled by --enable-unsafe-webgpu). Fails loudly rather than silently falling back to another backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';

if (!(await tf.setBackend('webgpu'))) throw new Error('could not initialise the webgpu backend in Chromium');
await tf.ready();
if (tf.getBackend() !== 'webgpu') throw new Error(`expected the webgpu backend, got ${tf.getBackend()}`);
