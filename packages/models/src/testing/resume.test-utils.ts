/**
 * A concern for models with state beyond their networks (learned priors, codebooks, moving averages): training
 * 2 epochs, checkpointing, and resuming in a model loaded from the checkpoint ends with the same weights as 4
 * epochs straight through. Not a test file itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { maxAbsDifference } from '@vae/core/testing';
import { expect } from 'vitest';
import type { BaseModel } from '../base/model';
import { loadCheckpoint } from '../io';
import { memoryHandler, weightsOf } from './concerns.test-utils';

export async function expectResumable(create: () => BaseModel<any>, x: tf.Tensor): Promise<void> {
  const gpu = ['webgl', 'webgpu'].includes(tf.getBackend());
  const data = tensorSource(x);
  const options = { batchSize: 8, seed: 3, learningRate: 1e-2 };
  const straight = create();
  await straight.fit(data, { ...options, epochs: 4 });
  const expected = await weightsOf(straight);
  straight.dispose();
  const handler = memoryHandler();
  const first = create();
  await first.fit(data, { ...options, epochs: 2, checkpoint: { handler } });
  first.dispose();
  const { model, checkpoint } = await loadCheckpoint(handler);
  await (model as BaseModel<any>).fit(data, { ...options, epochs: 4, resumeFrom: checkpoint });
  checkpoint.dispose();
  const resumed = await weightsOf(model as BaseModel<any>);
  expect(Object.keys(resumed).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    expect(maxAbsDifference(resumed[key], expected[key]), key).toBeLessThanOrEqual(gpu ? 1e-5 : 0);
  }
  (model as BaseModel<any>).dispose();
}
