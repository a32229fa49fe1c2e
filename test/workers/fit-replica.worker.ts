// A worker module of fit({ workers }) in browsers, as an app writes one, for the Chromium tests of the Web Worker
// runtime (packages/models/src/training/parallel.browser.test.ts): the cpu backend, as the calling thread there.
import '@tensorflow/tfjs-backend-cpu';
import { Autoencoder } from '../../packages/models/src/autoencoder/autoencoder.model';
import { serveFitWorker } from '../../packages/models/src/fit-worker';

serveFitWorker({ models: [Autoencoder] });
