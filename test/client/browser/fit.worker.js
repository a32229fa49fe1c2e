// A worker module of fit({ workers }) as an app writes one (the models README's "Data-parallel training"), bundled by
// Vite from the packed tarballs: the backends of @tensorflow/tfjs, then one replica of the classes the app trains.
import '@tensorflow/tfjs';
import { Autoencoder } from '@vae/models';
import { serveFitWorker } from '@vae/models/fit-worker';

serveFitWorker({ models: [Autoencoder] });
