import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { imageGrid } from './image';
import { tensorToImageBatch } from './tensor';

describe('tensorToImageBatch', () => {
  const values = Array.from({ length: 2 * 2 * 3 }, (_, i) => i / 12);

  it('reads [n, h, w] and [n, h, w, 1] tensors as grey batches without leaking', async () => {
    const images = tf.tensor3d(values, [2, 2, 3]);
    const batch = await expectNoLeaks(() => tensorToImageBatch(images));
    expect(batch).toMatchObject({ count: 2, height: 2, width: 3, channels: 1 });
    expect(Array.from(batch.values)).toEqual(Array.from(new Float32Array(values)));
    const withChannel = tf.reshape(images, [2, 2, 3, 1]);
    const again = await expectNoLeaks(() => tensorToImageBatch(withChannel));
    expect(again).toMatchObject({ count: 2, height: 2, width: 3, channels: 1 });
    expect(imageGrid(again).data).toEqual(imageGrid(batch).data);
    tf.dispose([images, withChannel]);
  });

  it('reads [n, h, w, 3] tensors as RGB', async () => {
    const images = tf.tensor4d(values, [1, 2, 2, 3]);
    const batch = await expectNoLeaks(() => tensorToImageBatch(images));
    expect(batch).toMatchObject({ count: 1, height: 2, width: 2, channels: 3 });
    expect(batch.values).toHaveLength(12);
    images.dispose();
  });

  it('reads flat [n, h * w] tensors given { height, width }', async () => {
    const images = tf.tensor2d(values, [2, 6]);
    const batch = await expectNoLeaks(() => tensorToImageBatch(images, { height: 3, width: 2 }));
    expect(batch).toMatchObject({ count: 2, height: 3, width: 2, channels: 1 });
    await expect(tensorToImageBatch(images)).rejects.toThrow(/needs \{ height, width \} options/);
    await expect(tensorToImageBatch(images, { height: 4, width: 2 })).rejects.toThrow(
      /4 \* 2 = 8 does not match the 6 values per image/,
    );
    images.dispose();
  });

  it('rejects unsupported shapes and empty batches without leaking', async () => {
    const cases: Array<[tf.Tensor, RegExp]> = [
      [tf.zeros([1, 2, 2, 2]), /unsupported channels 2/],
      [tf.zeros([4]), /expected shape \[n, h, w\]/],
      [tf.zeros([0, 2, 2]), /no images/],
    ];
    for (const [tensor, message] of cases) {
      await expectNoLeaks(() => expect(tensorToImageBatch(tensor)).rejects.toThrow(message));
      tensor.dispose();
    }
  });
});

describe('tensorToImageBatch with flat RGB', () => {
  it('reads [n, h * w * 3] tensors given { height, width, channels: 3 }', async () => {
    const images = tf.tensor2d([Array.from({ length: 12 }, (_, i) => i / 12)], [1, 12]);
    const batch = await expectNoLeaks(() => tensorToImageBatch(images, { height: 2, width: 2, channels: 3 }));
    expect(batch).toMatchObject({ count: 1, height: 2, width: 2, channels: 3 });
    await expect(tensorToImageBatch(images, { height: 2, width: 2 })).rejects.toThrow(
      /2 \* 2 = 4 does not match the 12 values/,
    );
    await expect(tensorToImageBatch(images, { height: 2, width: 3, channels: 3 })).rejects.toThrow(
      /height \* width \* channels = 2 \* 3 \* 3 = 18 does not match/,
    );
    images.dispose();
    const shaped = tf.zeros([1, 2, 2, 3]);
    await expect(tensorToImageBatch(shaped, { channels: 1 })).rejects.toThrow(
      /option channels = 1 disagrees/,
    );
    shaped.dispose();
  });
});
