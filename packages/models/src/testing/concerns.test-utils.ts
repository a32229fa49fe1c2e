/**
 * The tests every model passes, grouped by concern (shapes, finite forward pass, one training step, save/load
 * round trip, determinism under a seed, no leaks). Each model's test file calls `describeConcerns` with a small
 * model and toy data, then adds the tests of its own maths. Not a test file itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, tensorSource } from '@vae/core';
import { expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import type { BaseModel } from '../base/model';
import { loadModel, type ModelClass, saveModel } from '../io';

type Model = BaseModel<any> & { sample?: (count: number, options?: any) => tf.Tensor };

export interface ConcernSpec<M extends Model> {
  /** A small model of the class under test. */
  create: (seed: number) => M;
  /** Toy examples (and labels for conditional models); 16 or more. */
  data: () => { x: tf.Tensor; labels?: number[] };
  /** Whether the model samples from a prior. */
  samples?: boolean;
  learningRate?: number;
  /**
   * What runs in the (slow, software-WebGL) browser tests: 'all' concerns, 'basic' ones (shapes, finite forward
   * pass, save/load; the default), or none (false). Node runs every concern for every model.
   */
  browser?: 'all' | 'basic' | false;
}

/** True in the browser test project. */
export const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/** An in-memory tfjs IO handler. */
export function memoryHandler(): tf.io.IOHandler & { artifacts?: tf.io.ModelArtifacts } {
  const handler: tf.io.IOHandler & { artifacts?: tf.io.ModelArtifacts } = {
    save: async (artifacts) => {
      handler.artifacts = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
    load: async () => {
      if (!handler.artifacts) throw new Error('nothing saved');
      return handler.artifacts;
    },
  };
  return handler;
}

export async function weightsOf(model: { variables: Record<string, tf.Variable> }) {
  const entries = await Promise.all(
    Object.entries(model.variables).map(async ([name, v]) => [name, await v.data()] as const),
  );
  return Object.fromEntries(entries) as Record<string, Float32Array>;
}

export function describeConcerns<M extends Model>(name: string, spec: ConcernSpec<M>): void {
  const withData = async <T>(
    fn: (x: tf.Tensor, labels: number[] | undefined, source: BatchSource) => Promise<T>,
  ) => {
    const { x, labels } = spec.data();
    try {
      return await fn(x, labels, tensorSource(x, labels));
    } finally {
      x.dispose();
    }
  };

  const full = !inBrowser || spec.browser === 'all';
  const training = it.skipIf(!full);
  describe.skipIf(inBrowser && spec.browser === false)(`${name}: concerns`, () => {
    it('gives outputs of the right shapes', async () => {
      const model = spec.create(1);
      const shape = model.config.inputShape as number[];
      await withData(async (x, labels, source) => {
        const n = x.shape[0];
        const l2 = labels?.slice(0, 2);
        const codes = await model.embed(source);
        expect(codes.shape).toEqual([n, model.latentDim]);
        const decoded = model.decode(codes, labels);
        expect(decoded.shape).toEqual([n, ...shape]);
        expect(model.reconstruct(x, labels).shape).toEqual(x.shape);
        const a = tf.slice(x, 0, 2);
        const b = tf.slice(x, 2, 2);
        expect(model.interpolate(a, b, 5, { labels: l2 }).shape).toEqual([2, 5, ...shape]);
        expect(model.interpolate(a, b, 3, { spherical: true, labels: l2 }).shape).toEqual([2, 3, ...shape]);
        expect(model.traverse(tf.slice(codes, 0, 2), 0, { steps: 4, labels: l2 }).shape).toEqual([
          2,
          4,
          ...shape,
        ]);
        expect((await model.score(source)).length).toBe(n);
        if (spec.samples) {
          expect(model.sample?.(3, { seed: 1, labels: labels?.slice(0, 3) }).shape).toEqual([3, ...shape]);
        }
        tf.dispose([codes, decoded, a, b]);
      });
      model.dispose();
    });

    it('computes a finite forward pass', async () => {
      const model = spec.create(2);
      await withData(async (x, labels, source) => {
        const labelTensor = labels ? tf.tensor1d(labels, 'int32') : undefined;
        const { total, terms } = model.trainingLoss(x, { seed: 1, labels: labelTensor });
        for (const t of [total, ...Object.values(terms)])
          expect(Number.isFinite((await t.data())[0])).toBe(true);
        const reconstruction = await model.reconstruct(x, labels).data();
        expect(reconstruction.every(Number.isFinite)).toBe(true);
        expect((await model.score(source)).every(Number.isFinite)).toBe(true);
        tf.dispose([total, ...Object.values(terms), ...(labelTensor ? [labelTensor] : [])]);
      });
      model.dispose();
    });

    training('lowers the loss with one training step and changes every trainable weight', async () => {
      const model = spec.create(3);
      await withData(async (x, _labels, source) => {
        const before = await model.evaluate(source, { seed: 4, step: 0 });
        const weights = await weightsOf(model);
        const history = await model.fit(source, {
          epochs: 1,
          batchSize: x.shape[0],
          seed: 5,
          learningRate: spec.learningRate ?? 1e-3,
        });
        expect(history.epochs[0].step).toBe(1);
        const after = await model.evaluate(source, { seed: 4, step: 0 });
        expect(after.total).toBeLessThan(before.total);
        for (const [key, variable] of Object.entries(model.variables)) {
          if (!variable.trainable) continue;
          expect(maxAbsDifference(await variable.data(), weights[key]), key).toBeGreaterThan(0);
        }
      });
      model.dispose();
    });

    it('saves and loads with identical outputs', async () => {
      const model = spec.create(4);
      const handler = memoryHandler();
      await saveModel(model, handler);
      const loaded = await loadModel(handler, { as: model.constructor as ModelClass<M> });
      expect(loaded.className).toBe(model.className);
      expect(loaded.constructor).toBe(model.constructor);
      expect(loaded.config).toEqual(model.config);
      await withData(async (x, labels) => {
        const [a, b] = [model.reconstruct(x, labels), loaded.reconstruct(x, labels)];
        expect(maxAbsDifference(await a.data(), await b.data())).toBe(0);
        const z = tf.randomNormal([3, model.latentDim], 0, 1, 'float32', 1);
        const [c, d] = [model.decode(z, labels?.slice(0, 3)), loaded.decode(z, labels?.slice(0, 3))];
        expect(maxAbsDifference(await c.data(), await d.data())).toBe(0);
        tf.dispose([a, b, c, d, z]);
      });
      model.dispose();
      loaded.dispose();
    });

    training('is deterministic under a seed', async () => {
      await withData(async (_x, _labels, source) => {
        const run = async () => {
          const model = spec.create(6);
          const initial = await weightsOf(model);
          const history = await model.fit(source, { epochs: 2, batchSize: 8, seed: 7 });
          const final = await weightsOf(model);
          model.dispose();
          return { initial, final, loss: history.epochs.map((e) => e.train.total) };
        };
        const first = await run();
        const second = await run();
        expect(second.loss).toEqual(first.loss);
        for (const key of Object.keys(first.initial)) {
          expect(maxAbsDifference(second.initial[key], first.initial[key]), key).toBe(0);
          expect(maxAbsDifference(second.final[key], first.final[key]), key).toBe(0);
        }
      });
    });

    training('leaks no tensors', async () => {
      const model = spec.create(8);
      await withData(async (x, labels, source) => {
        await expectNoLeaks(async () => {
          const codes = await model.embed(source);
          tf.tidy(() => {
            model.decode(codes, labels);
            model.reconstruct(x, labels);
            model.interpolate(tf.slice(x, 0, 2), tf.slice(x, 2, 2), 3, {
              spherical: true,
              labels: labels?.slice(0, 2),
            });
            model.traverse(tf.slice(codes, 0, 1), 0, { labels: labels?.slice(0, 1) });
            if (spec.samples) model.sample?.(2, { labels: labels?.slice(0, 2) });
          });
          codes.dispose();
          await model.score(source);
          await model.evaluate(source);
          await model.fit(source, {
            epochs: 2,
            batchSize: 8,
            seed: 1,
            gradientClipNorm: 10,
            validationData: source,
          });
        });
      });
      model.dispose();
    });
  });
}
