import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Image } from './image';
import { latentManifold, traversalGrid } from './latent';
import { writePng } from './node';
import { decodePng } from './png';

describe('writePng', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vae-viz-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a PNG file that decodes back to the image, creating directories', async () => {
    const image: Image = { width: 2, height: 2, channels: 3, data: new Uint8Array([...Array(12).keys()]) };
    const path = join(dir, 'nested', 'grid.png');
    await writePng(path, image);
    expect(decodePng(new Uint8Array(await readFile(path)))).toEqual(image);
    expect(await readdir(join(dir, 'nested'))).toEqual(['grid.png']); // no temporary files left behind
  });

  it('rejects a bad image before touching the disk', async () => {
    const path = join(dir, 'bad.png');
    await expect(
      writePng(path, { width: 2, height: 2, channels: 1, data: new Uint8Array(3) }),
    ).rejects.toThrow(/3 bytes/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes latent figures that decode back to the same pixels', async () => {
    const decode = (z: tf.Tensor2D) =>
      tf.reshape(tf.sigmoid(tf.tile(z, [1, 8])), [z.shape[0], 4, 4]) as tf.Tensor;
    const manifold = await latentManifold(decode, { steps: 5, labels: true });
    const traversal = await traversalGrid(decode, [0.5, -0.5]);
    for (const [name, image] of [
      ['manifold.png', manifold],
      ['traversal.png', traversal],
    ] as const) {
      await writePng(join(dir, name), image);
      expect(decodePng(new Uint8Array(await readFile(join(dir, name))))).toEqual(image);
    }
  });
});
