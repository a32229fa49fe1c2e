/**
 * @vae/data alone (with @vae/core, tfjs-core and the cpu backend; no @vae/models), as an ES module: parses an
 * IDX file, serves it as an ImageDataset, renders dSprites and batches with the transforms. Prints `RESULT <json>`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { binarize, DSprites, ImageDataset, parseIdx } from '@vae/data';

await tf.setBackend('cpu');
// An IDX file as MNIST ships it: magic (0, 0, 0x08 = unsigned bytes, 3 dimensions), the sizes, then the pixels.
const header = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2];
const pixels = [0, 255, 255, 0, 128, 128, 128, 128, 255, 255, 255, 255];
const idx = parseIdx(new Uint8Array([...header, ...pixels]), 'tiny-images-idx3-ubyte');
const [count, height, width] = idx.shape;
const images = new ImageDataset({ images: idx.data, shape: [count, height, width, 1], name: 'tiny' });
const batch = images.batch([0, 2]);
const binary = binarize(images, { mode: 'static', threshold: 0.6 }).batch([1]);
const sprites = new DSprites();
const sprite = sprites.batch([737279]);

console.log(
  `RESULT ${JSON.stringify({
    client: 'data',
    idxShape: idx.shape,
    batch: Array.from(await batch.data()),
    binary: Array.from(await binary.data()),
    spriteShape: sprite.shape,
    spriteOn: (await tf.sum(sprite).data())[0],
    factors: Array.from(sprites.factorsOf([737279])[0]),
  })}`,
);
tf.dispose([batch, binary, sprite]);
