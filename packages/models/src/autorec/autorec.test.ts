import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from '@vae/core';
import { checkVariableGradients, expectClose, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { memoryHandler, weightsOf } from '../testing/concerns.test-utils';
import { AutoRec } from './autorec.model';

/** Dense rows in core's layout [rows, 2, columns] from a matrix with NaN for missing ratings. */
function rowsOf(matrix: number[][]): BatchSource {
  const columns = matrix[0].length;
  return {
    size: matrix.length,
    itemShape: [2, columns],
    batch: (indices) =>
      tf.tensor3d(
        Array.from(indices, (r) => [
          matrix[r].map((v) => (Number.isNaN(v) ? 0 : v)),
          matrix[r].map((v) => (Number.isNaN(v) ? 0 : 1)),
        ]),
      ),
  };
}

const N = Number.NaN;
// 4 item rows over 3 users (I-AutoRec's orientation).
const items = [
  [5, N, 1],
  [4, 2, N],
  [N, 3, 3],
  [1, N, 5],
];

describe('AutoRec', () => {
  it('counts observed ratings only: the loss ignores what unobserved entries would hold', async () => {
    const model = new AutoRec({ kind: 'item', columns: 3, hiddenUnits: 4, weightDecay: 0, seed: 1 });
    const x = rowsOf(items).batch([0, 1, 2, 3]);
    const { values, mask } = tf.tidy(() => {
      const [v, m] = tf.unstack(x, 1);
      return { values: v, mask: m };
    });
    const predictions = model.reconstruct(values as tf.Tensor2D);
    const p = (await predictions.array()) as number[][];
    let expected = 0;
    items.forEach((row, r) => {
      row.forEach((v, c) => {
        if (!Number.isNaN(v)) expected += (p[r][c] - v) ** 2;
      });
    });
    const loss = model.trainingLoss(x);
    await expectClose(loss.terms.reconstruction, expected / 4);
    await expectClose(loss.terms.regularizer, 0);
    tf.dispose([x, values, mask, predictions, loss.total, ...Object.values(loss.terms)]);
    model.dispose();
  });

  it('adds (lambda / 2) |W|^2 / rows over both kernels, with gradients that match central differences', async () => {
    const model = new AutoRec({ kind: 'user', columns: 4, hiddenUnits: 3, weightDecay: 2, seed: 2 });
    const data = rowsOf([
      [5, N, 1, 2],
      [N, 2, N, 4],
    ]);
    await model.prepareTraining(data);
    const x = data.batch([0, 1]);
    const loss = model.trainingLoss(x);
    const variables = model.variables;
    const squares = tf.tidy(() =>
      tf.add(tf.sum(tf.square(variables['encoder/kernel'])), tf.sum(tf.square(variables['decoder/kernel']))),
    );
    await expectClose(loss.terms.regularizer, ((await squares.data())[0] * 2) / 2 / 2);
    tf.dispose([loss.total, ...Object.values(loss.terms), squares]);
    await checkVariableGradients(() => model.trainingLoss(x).total, Object.values(variables), { step: 1e-2 });
    x.dispose();
    model.dispose();
  });

  it('fit lowers the loss; predict reads the pair from the reconstructed row and clips; no tensors leak', async () => {
    const data = rowsOf(items);
    const model = new AutoRec({ kind: 'item', columns: 3, hiddenUnits: 8, weightDecay: 0.01, seed: 3 });
    const before = await model.evaluate(data);
    const history = await expectNoLeaks(() =>
      model.fit(data, { epochs: 40, batchSize: 2, learningRate: 0.05, seed: 1 }),
    );
    const after = await model.evaluate(data);
    expect(history.epochs).toHaveLength(40);
    expect(after.reconstruction).toBeLessThan(before.reconstruction / 4);
    // user 1 of item 3 (missing) and user 0 of item 0 (observed 5)
    const pairs = { users: [1, 0, 2], items: [3, 0, 0] };
    const predictions = await expectNoLeaks(() => model.predict(data, pairs));
    const reconstructed = tf.tidy(() =>
      model.reconstruct(tf.unstack(data.batch([0, 3]), 1)[0] as tf.Tensor2D),
    );
    const rows = (await reconstructed.array()) as number[][];
    reconstructed.dispose();
    expect(predictions[0]).toBeCloseTo(rows[1][1], 5);
    expect(predictions[1]).toBeCloseTo(rows[0][0], 5);
    expect(predictions[2]).toBeCloseTo(rows[0][2], 5);
    const clipped = await model.predict(data, pairs, { range: [1.5, 2] });
    for (const v of clipped) expect(v >= 1.5 && v <= 2).toBe(true);
    // In the registry: loadModel builds it from the saved file, with the same weights and predictions.
    const handler = memoryHandler();
    await saveModel(model, handler);
    const loaded = await loadModel(handler);
    expect(loaded).toBeInstanceOf(AutoRec);
    expect(loaded.config).toEqual(model.config);
    expect(await weightsOf(loaded)).toEqual(await weightsOf(model));
    expect(await (loaded as AutoRec).predict(data, pairs)).toEqual(predictions);
    loaded.dispose();
    model.dispose();
  });

  it('refuses rows of the wrong shape, pairs outside the model and bad configs, with the fix', async () => {
    const model = new AutoRec({ kind: 'item', columns: 3, hiddenUnits: 2 });
    expect(model.config.weightDecay).toBe(300);
    expect(new AutoRec({ columns: 2 }).config.hiddenUnits).toBe(500);
    await expect(model.fit(rowsOf([[1, 2, 3, 4]]), { epochs: 1 })).rejects.toThrow(
      /expected item rows .* of shape \[2, 3\].*ratingRows\(train, 'item'\)/,
    );
    await expect(model.predict(rowsOf(items), { users: [3], items: [0] })).rejects.toThrow(
      /pair 0 \(user 3, item 0\) lies outside the 3 users x 4 items/,
    );
    expect(() => new AutoRec({ columns: 0 })).toThrow(/columns must be a positive integer/);
    expect(() => new AutoRec({ columns: 3, kind: 'movie' as 'item' })).toThrow(
      /kind 'movie' is not supported/,
    );
    expect(() => new AutoRec({ columns: 3, weightDecay: -1 })).toThrow(/weightDecay must be a number >= 0/);
    model.dispose();
  });
});
