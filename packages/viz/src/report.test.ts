/**
 * End to end: train a tiny VAE (plain tfjs-core, 4 x 4 images, 2-D latent space) for a few epochs, then build every
 * figure from it and put them in one HTML report.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { type TrainingCurveRecord, trainingCurvesSvg } from './chart';
import { htmlReport } from './html';
import { concatImagesVertically, imageGrid } from './image';
import { interpolationStrip, latentManifold, traversalGrid } from './latent';
import { decodePng, encodePng } from './png';
import { projectLatents } from './projection';
import { scatterSvg } from './scatter';
import { histogramSvg, rocCurveSvg } from './scores';
import { tensorToImageBatch } from './tensor';

/** Two classes of 4 x 4 images: a bright left half or a bright top half, with a little seeded noise. */
function dataset(count: number, seed: number) {
  const noise = tf.randomUniform([count, 16], 0, 0.2, 'float32', seed);
  const labels = Array.from({ length: count }, (_, i) => i % 2);
  const patterns = labels.map((label) =>
    Array.from({ length: 16 }, (_, p) => (label === 0 ? (p % 4 < 2 ? 0.8 : 0) : p < 8 ? 0.8 : 0)),
  );
  const images = tf.tidy(() => tf.add(tf.tensor2d(patterns), noise));
  noise.dispose();
  return { images, labels };
}

describe('a report for a tiny trained VAE', () => {
  it('trains, draws every figure and embeds them all in one self-contained page', async () => {
    const latent = 2;
    const weights = {
      encoder: tf.variable(tf.randomNormal([16, 2 * latent], 0, 0.1, 'float32', 1)),
      encoderBias: tf.variable(tf.zeros([2 * latent])),
      decoder: tf.variable(tf.randomNormal([latent, 16], 0, 0.1, 'float32', 2)),
      decoderBias: tf.variable(tf.zeros([16])),
    };
    const encode = (x: tf.Tensor2D) =>
      tf.tidy(() => {
        const both = tf.add(tf.matMul(x, weights.encoder), weights.encoderBias);
        const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        return { mean, logVar };
      });
    const logits = (z: tf.Tensor2D) => tf.add(tf.matMul(z, weights.decoder), weights.decoderBias);
    const decode = (z: tf.Tensor2D) => tf.reshape(tf.sigmoid(logits(z)), [z.shape[0], 4, 4]);
    const terms = (x: tf.Tensor2D, seed: number) => {
      const { mean, logVar } = encode(x);
      const epsilon = tf.randomNormal(mean.shape, 0, 1, 'float32', seed);
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), epsilon)) as tf.Tensor2D;
      const output = logits(z);
      // Bernoulli negative log-likelihood with logits, summed over pixels, averaged over the batch.
      const reconstruction = tf.mean(
        tf.sum(
          tf.sub(tf.add(tf.relu(output), tf.log1p(tf.exp(tf.neg(tf.abs(output))))), tf.mul(output, x)),
          1,
        ),
      );
      const kl = tf.mean(
        tf.mul(tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)), 1), 0.5),
      );
      return { reconstruction, kl };
    };

    const train = dataset(64, 3);
    const validation = dataset(32, 4);
    const optimizer = tf.train.adam(0.05);
    const records: TrainingCurveRecord[] = [];
    for (let epoch = 1; epoch <= 4; epoch++) {
      const beta = Math.min(1, epoch / 2);
      for (let batch = 0; batch < 4; batch++) {
        const x = tf.slice(train.images, [batch * 16, 0], [16, 16]) as tf.Tensor2D;
        optimizer.minimize(() => {
          const { reconstruction, kl } = terms(x, 100 * epoch + batch);
          return tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar;
        });
        x.dispose();
      }
      const measure = (x: tf.Tensor2D) => {
        const values = tf.tidy(() => {
          const { reconstruction, kl } = terms(x, epoch);
          return tf.stack([reconstruction, kl]);
        });
        const [reconstruction, kl] = Array.from(values.dataSync()) as [number, number];
        values.dispose();
        return { reconstruction, kl, weightedKl: beta * kl, total: reconstruction + beta * kl };
      };
      records.push({
        epoch,
        train: measure(train.images as tf.Tensor2D),
        validation: measure(validation.images as tf.Tensor2D),
      });
    }
    optimizer.dispose();
    // Training helped: the validation loss fell.
    expect(records[3].validation?.reconstruction).toBeLessThan(records[0].validation?.reconstruction ?? 0);

    const report = await expectNoLeaks(async () => {
      const { mean, logVar } = encode(validation.images as tf.Tensor2D);
      const reconstructions = tf.tidy(() => decode(mean));
      const originals = imageGrid(await tensorToImageBatch(validation.images, { height: 4, width: 4 }), {
        columns: 8,
        captions: validation.labels.map(String),
      });
      const decoded = imageGrid(await tensorToImageBatch(reconstructions), { columns: 8 });
      const comparison = concatImagesVertically([originals, decoded], { gap: 4 });
      const manifold = await latentManifold(decode, { steps: 8 });
      const traversal = await traversalGrid(decode, [0, 0]);
      const first = tf.slice(mean, [0, 0], [1, latent]);
      const second = tf.slice(mean, [1, 0], [1, latent]);
      const strip = await interpolationStrip(decode, first, second, { steps: 8, spherical: true });
      const projection = await projectLatents(mean);
      const scatter = scatterSvg({ ...projection, labels: validation.labels, classNames: ['left', 'top'] });
      const errorTensor = tf.tidy(() =>
        tf.sum(tf.square(tf.sub(tf.reshape(reconstructions, [-1, 16]), validation.images)), 1),
      );
      const errors = Array.from(await errorTensor.data());
      errorTensor.dispose();
      tf.dispose([mean, logVar, reconstructions, first, second]);
      const threshold = [...errors].sort((a, b) => a - b)[Math.floor(errors.length * 0.9)];
      const histogram = histogramSvg(
        [
          { name: 'left', values: errors.filter((_, i) => validation.labels[i] === 0) },
          { name: 'top', values: errors.filter((_, i) => validation.labels[i] === 1) },
        ],
        { threshold, xLabel: 'squared error' },
      );
      const roc = rocCurveSvg(
        [0, 0.25, 0.5, 0.75, 1].map((rate) => ({
          falsePositiveRate: rate,
          truePositiveRate: Math.sqrt(rate),
        })),
        { auc: 2 / 3 },
      );
      return {
        manifold,
        html: htmlReport({
          title: 'Tiny VAE',
          summary: [{ label: 'validation loss', value: records[3].validation?.total ?? Number.NaN }],
          sections: [
            {
              title: 'Reconstructions',
              figures: [{ caption: 'originals / reconstructions', image: comparison }],
            },
            {
              title: 'Latent space',
              figures: [
                { caption: 'manifold', png: encodePng(manifold) },
                { caption: 'traversal', image: traversal },
                { caption: 'interpolation', image: strip },
                { caption: 'codes', svg: scatter },
              ],
            },
            {
              title: 'Training and scores',
              figures: [
                { caption: 'loss terms', svg: trainingCurvesSvg(records) },
                { caption: 'errors', svg: histogram },
                { caption: 'ROC', svg: roc },
              ],
            },
          ],
          tables: [
            {
              title: 'Per epoch',
              columns: ['epoch', 'train total', 'validation total'],
              rows: records.map((record) => [
                record.epoch,
                record.train.total ?? Number.NaN,
                record.validation?.total ?? Number.NaN,
              ]),
            },
          ],
          config: { latent, epochs: 4 },
        }),
      };
    });
    tf.dispose([train.images, validation.images, ...Object.values(weights)]);

    const { html, manifold } = report;
    expect(html.match(/<figure>/g)).toHaveLength(8);
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(4);
    expect(html.match(/<svg xmlns=/g)).toHaveLength(4);
    expect(html.match(/<svg data-term=/g)).toHaveLength(4);
    expect(html).toContain('>left</text>');
    expect(html).toContain('class="threshold"');
    expect(html).toContain('AUC = 0.667');
    expect(html).not.toMatch(/\bid="|<script|NaN|undefined/);
    // The manifold PNG in the page decodes back to the image.
    const embedded = [
      ...html.matchAll(/<img src="data:image\/png;base64,([^"]*)"[^>]*alt="manifold"/g),
    ][0][1];
    const bytes = Uint8Array.from(atob(embedded), (character) => character.charCodeAt(0));
    expect(decodePng(bytes)).toEqual(manifold);
    expect(manifold.width).toBe(8 * 4);
  });
});
