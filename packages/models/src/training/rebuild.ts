/**
 * Rebuilding a data-parallel replica as `loadModel` rebuilds a saved model (any class of the registry, checksum and
 * config checks, `@vae/models/layers` loaded when the config needs it): Node's workers use it (bundle size does not
 * matter there); browser workers name their classes instead (`serveFitWorker({ models })`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../io';
import type { ReplicaArtifacts } from './parallel';
import type { ReplicaModel } from './replica';

export async function rebuildFromRegistry(artifacts: ReplicaArtifacts): Promise<ReplicaModel> {
  return (await loadModel(
    tf.io.fromMemory({
      modelTopology: {
        format: MODEL_FORMAT,
        formatVersion: MODEL_FORMAT_VERSION,
        className: artifacts.className,
        config: artifacts.config,
        weightsSha256: artifacts.weightsSha256,
      } as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: artifacts.weightSpecs,
      weightData: artifacts.weightData,
    }),
  )) as unknown as ReplicaModel;
}
