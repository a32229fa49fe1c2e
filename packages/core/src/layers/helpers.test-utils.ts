/** Shared helpers of the layers tests (not a test file itself). */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '../dense';
import { expectClose } from '../testing';
import { DenseLayer } from './dense';

export const variables = (model: tfl.LayersModel | tfl.layers.Layer) =>
  model.trainableWeights.map((w) => w.read() as tf.Variable);

/** Saves through a tfjs IO handler into memory and loads the model back with tfl.loadLayersModel. */
export async function roundTrip(
  model: tfl.LayersModel,
): Promise<{ loaded: tfl.LayersModel; artifacts: tf.io.ModelArtifacts }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const saved = artifacts as tf.io.ModelArtifacts;
  return { loaded: await tfl.loadLayersModel(tf.io.fromMemory(saved)), artifacts: saved };
}

/** DenseLayer and tfjs' own dense layer with the same weights: same outputs, same gradients (autodiff). */
export async function compareWithTfjsDense(activation: Activation): Promise<void> {
  const x = tf.tensor2d([
    [0.5, -1, 0.2, 0.9],
    [-0.3, 0.8, -0.6, 0.1],
  ]);
  const ours = new DenseLayer({ units: 3, activation, seed: 1 });
  const theirs = tfl.layers.dense({ units: 3, activation });
  ours.apply(x);
  theirs.apply(x);
  theirs.setWeights(ours.getWeights());
  const upstream = tf.tensor2d([
    [1, -2, 0.5],
    [0.3, 1, -1],
  ]);
  const loss = (layer: tfl.layers.Layer) => (input: tf.Tensor) =>
    tf.sum(tf.mul(layer.apply(input) as tf.Tensor, upstream)) as tf.Scalar;
  await expectClose(ours.apply(x) as tf.Tensor, await (theirs.apply(x) as tf.Tensor).data());
  const a = tf.variableGrads(() => loss(ours)(x), variables(ours));
  const b = tf.variableGrads(() => loss(theirs)(x), variables(theirs));
  await expectClose(Object.values(a.grads)[0], await Object.values(b.grads)[0].data());
  await expectClose(Object.values(a.grads)[1], await Object.values(b.grads)[1].data());
  await expectClose(tf.grad(loss(ours))(x), await tf.grad(loss(theirs))(x).data());
  tf.dispose([x, upstream, ...Object.values(a.grads), ...Object.values(b.grads), a.value, b.value]);
  ours.dispose();
  theirs.dispose();
}
