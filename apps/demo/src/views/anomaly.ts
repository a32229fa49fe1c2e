/**
 * Anomaly: how surprised the VAE is by a drawing. The score is the negative ELBO at the posterior mean: the
 * reconstruction error -log p(x | z = mean) plus KL(q(z|x) || p(z)), in nats; digits like the training data
 * score low. The drawing's score is shown on the histogram of the scores of 1000 MNIST test digits (normal) and of
 * the same digits turned a quarter (not digits as MNIST writes them), with its percentile among the normal ones.
 */

import { DATA_FILES } from 'virtual:demo-data';
import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits, klDivergenceStandardNormal } from '@vae/core';
import type { VAE } from '@vae/models';
import { histogramSvg } from '@vae/viz';
import {
  DEFAULT_MODEL,
  DIGIT_PIXELS,
  DIGIT_SIDE,
  type DigitSet,
  describeModel,
  getDigits,
  getModel,
} from '../assets';
import { canvas2d, DrawingPad, mnistTransform, reduceCanvas, strokeLine } from '../digit-input';
import { loadMnistTest } from '../host-data';
import { latestOnly } from '../latest-only';
import { bumpRenders, element, escapeHtml, paintGrey } from '../shared';
import type { View, ViewContext } from './context';

const PAD = 280;
const PEN_WIDTH = 22;
/** Normal test digits scored for the histogram. */
const REFERENCE_COUNT = 1000;

/** Scores of a batch of images `[n, 784]`: -log p(x | mean) + KL, per image. */
function scoreTensor(model: VAE, x: tf.Tensor2D): { scores: tf.Tensor1D; reconstruction: tf.Tensor } {
  return tf.tidy(() => {
    const { mean, logVar } = model.encode(x);
    const logits = model.decodeLogits(mean);
    // core's losses: -log p(x | z = mean) as the stable BCE from logits, and KL(q(z|x) || N(0, I))
    const bce = binaryCrossEntropyWithLogits(x, logits, { reduction: 'none' });
    const kl = klDivergenceStandardNormal(mean, logVar, { reduction: 'none' });
    return { scores: tf.add(bce, kl) as tf.Tensor1D, reconstruction: tf.sigmoid(logits) };
  });
}

/** A digit turned a quarter clockwise. */
function rotate(pixels: Float32Array): Float32Array {
  const out = new Float32Array(DIGIT_PIXELS);
  for (let y = 0; y < DIGIT_SIDE; y++) {
    for (let x = 0; x < DIGIT_SIDE; x++)
      out[x * DIGIT_SIDE + (DIGIT_SIDE - 1 - y)] = pixels[y * DIGIT_SIDE + x];
  }
  return out;
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];
}

export function createAnomalyView(context: ViewContext): View {
  const section = element<HTMLElement>('view-anomaly');
  const pad = element<HTMLCanvasElement>('anomaly-pad');
  const inputCanvas = element<HTMLCanvasElement>('anomaly-input');
  const reconstructionCanvas = element<HTMLCanvasElement>('anomaly-reconstruction');
  const scoreOutput = element<HTMLElement>('anomaly-score');
  const verdict = element<HTMLElement>('anomaly-verdict');
  const histogram = element<HTMLDivElement>('anomaly-histogram');
  const hint = element<HTMLElement>('anomaly-hint');

  const padContext = pad.getContext('2d', { willReadFrequently: true })!;
  const small = canvas2d(DIGIT_SIDE, DIGIT_SIDE);
  const scratch: Record<string, ReturnType<typeof paintGrey> | undefined> = {};
  let model: VAE;
  let digits: DigitSet | undefined;
  let normal = new Float32Array(0);
  let rotated = new Float32Array(0);
  let empty = true;

  function clear(): void {
    padContext.fillStyle = '#000';
    padContext.fillRect(0, 0, PAD, PAD);
    empty = true;
  }

  /** Scores the reference images: normal test digits, and the same turned a quarter. */
  async function scoreReference(): Promise<void> {
    const data = await loadMnistTest(DATA_FILES, location.href, REFERENCE_COUNT);
    const values = data.batchValues(Array.from({ length: data.size }, (_, i) => i));
    const turned = new Float32Array(values.length);
    for (let i = 0; i < data.size; i++) {
      turned.set(rotate(values.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS)), i * DIGIT_PIXELS);
    }
    const score = async (images: Float32Array) => {
      const out = new Float32Array(data.size);
      for (let start = 0; start < data.size; start += 250) {
        const count = Math.min(250, data.size - start);
        const x = tf.tensor2d(images.subarray(start * DIGIT_PIXELS, (start + count) * DIGIT_PIXELS), [
          count,
          DIGIT_PIXELS,
        ]);
        const { scores, reconstruction } = scoreTensor(model, x);
        out.set(await scores.data(), start);
        tf.dispose([x, scores, reconstruction]);
      }
      return out.sort();
    };
    normal = await score(values);
    rotated = await score(turned);
  }

  function drawHistogram(drawingScore: number | undefined): void {
    const low = Math.min(normal[0], rotated[0]);
    let high = quantile(rotated, 0.99);
    if (drawingScore !== undefined) high = Math.max(high, Math.min(drawingScore * 1.05, 2 * high));
    const shown = drawingScore === undefined ? undefined : Math.min(drawingScore, high);
    histogram.innerHTML = histogramSvg(
      [
        { name: 'test digits', values: normal },
        { name: 'test digits turned a quarter', values: rotated },
      ],
      {
        bins: 40,
        range: [Math.floor(low), Math.ceil(high)],
        threshold: shown,
        thresholdLabel:
          drawingScore !== undefined && drawingScore > high
            ? 'your drawing (off the chart →)'
            : 'your drawing',
        normalize: true,
        title: 'How surprised is the model? (negative ELBO, nats)',
        xLabel: 'score: reconstruction error + KL (nats); higher = stranger',
        width: 620,
        height: 300,
      },
    );
  }

  async function update(): Promise<void> {
    const input = reduceCanvas(pad, mnistTransform(padContext), small);
    const x = tf.tensor2d(input, [1, DIGIT_PIXELS]);
    const { scores, reconstruction } = scoreTensor(model, x);
    try {
      const [score] = await scores.data();
      const pixels = await reconstruction.data();
      scratch.input = paintGrey(inputCanvas, input, DIGIT_SIDE, DIGIT_SIDE, scratch.input);
      scratch.reconstruction = paintGrey(
        reconstructionCanvas,
        pixels,
        DIGIT_SIDE,
        DIGIT_SIDE,
        scratch.reconstruction,
      );
      hint.hidden = !empty;
      if (empty) {
        scoreOutput.textContent = '–';
        verdict.textContent = 'Draw something, or pick an example below the pad.';
        drawHistogram(undefined);
        delete section.dataset.score;
        return;
      }
      let below = 0;
      while (below < normal.length && normal[below] < score) below++;
      const percentile = (100 * below) / normal.length;
      scoreOutput.textContent = `${score.toFixed(0)} nats`;
      verdict.textContent =
        percentile >= 100
          ? `Stranger than all ${normal.length.toLocaleString('en-US')} test digits: not a digit, to this model.`
          : percentile >= 95
            ? `Unusual: stranger than ${percentile.toFixed(1)} % of test digits.`
            : `Typical of the digits the model knows: stranger than ${percentile.toFixed(0)} % of test digits.`;
      section.dataset.score = score.toFixed(2);
      section.dataset.percentile = percentile.toFixed(2);
      drawHistogram(score);
      bumpRenders(section);
    } finally {
      tf.dispose([x, scores, reconstruction]);
    }
  }

  /** Scores the latest drawing: strokes arriving while a score runs give one more score, not a queue. */
  const scorer = latestOnly<void>(update, (error) =>
    context.fail('Scoring the drawing failed', error instanceof Error ? error.message : String(error)),
  );
  const requestUpdate = () => scorer.request();

  /** Puts a 28 x 28 image on the pad, scaled up smoothly. */
  function load(pixels: Float32Array): void {
    clear();
    const image = new ImageData(DIGIT_SIDE, DIGIT_SIDE);
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = Math.round(pixels[i] * 255);
      image.data[4 * i + 3] = 255;
    }
    small.putImageData(image, 0, 0);
    padContext.imageSmoothingEnabled = true;
    padContext.imageSmoothingQuality = 'high';
    padContext.drawImage(small.canvas, 0, 0, PAD, PAD);
    empty = false;
    requestUpdate();
  }

  let pick = 0;
  const someDigit = () => {
    if (!digits) return new Float32Array(DIGIT_PIXELS);
    pick += 1;
    return digits[pick % 10][Math.floor(pick / 10) % digits[0].length];
  };

  return {
    async start() {
      model = await getModel(context.model(DEFAULT_MODEL));
      context.setStatus(
        'anomaly',
        `${escapeHtml(describeModel(model))} · scoring ${REFERENCE_COUNT} test digits…`,
      );
      clear();
      new DrawingPad(pad, (from, to) => {
        strokeLine(padContext, from, to, '#fff', PEN_WIDTH);
        empty = false;
        requestUpdate();
      });
      element('anomaly-clear').addEventListener('click', () => {
        clear();
        requestUpdate();
      });
      element('anomaly-digit').addEventListener('click', () => load(someDigit()));
      element('anomaly-rotated').addEventListener('click', () => load(rotate(someDigit())));
      element('anomaly-noise').addEventListener('click', () => {
        const noise = new Float32Array(DIGIT_PIXELS);
        for (let i = 0; i < DIGIT_PIXELS; i++) noise[i] = Math.random() < 0.5 ? 1 : 0;
        load(noise);
      });
      [digits] = await Promise.all([getDigits(), scoreReference()]);
      context.setStatus(
        'anomaly',
        `${escapeHtml(describeModel(model))} · median score of test digits ${quantile(normal, 0.5).toFixed(0)} nats`,
      );
      await update();
    },
    async reload() {
      model = await getModel(context.model(DEFAULT_MODEL));
      await scoreReference();
      await update();
    },
  };
}
