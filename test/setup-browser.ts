// Picks the tfjs backend for the browser test project: WebGL (SwiftShader in headless Chromium here).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
// Every network kind of @vae/models (conv trunks and saved tfjs Layers networks need this import in an app).
import '@vae/models/layers';

if (!(await tf.setBackend('webgl'))) throw new Error('could not initialise the webgl backend');
await tf.ready();
