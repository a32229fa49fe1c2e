/**
 * How it works: the path of one digit through a VAE, live, with the 2-D model so every number can be shown. The
 * visitor picks a test digit (click, or focus the palette and press a digit key); the encoder gives the mean mu
 * and the spread sigma of q(z|x); eight draws z = mu + sigma * eps (eps ~ N(0, I)) are decoded; the two terms of the
 * loss are shown: the reconstruction error -log p(x|z = mu) and KL(q(z|x) || N(0, I)), in nats. "New draws" takes
 * other eps. The digit is in the address (`?d=label.index`). The trade-off between the two terms: a slider scales
 * the cloud's sigma (by 2^v, v in [-4, 2]), and the page shows the reconstruction term averaged over 64 draws from
 * the scaled cloud (the same eps at every position, so the curve is smooth) and its KL to N(0, I): narrower clouds
 * reconstruct better and cost more KL, wider ones the reverse.
 *
 * Hooks for tests on `#view-learn`: `data-mu`, `data-sigma` (comma-separated), `data-draws` (draws decoded), and
 * `data-spread`, `data-spread-reconstruction`, `data-spread-kl` (the slider's sigma factor and the two terms, nats).
 */
import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropy, DiagonalGaussian, klDivergenceStandardNormal } from '@vae/core';
import type { VAE } from '@vae/models';
import { drawToCanvas, imageGrid, tensorToImageBatch } from '@vae/viz';
import { DIGIT_PIXELS, DIGIT_SIDE, type DigitSet, getDigits, getModel, MAP_MODEL } from '../assets';
import { pickDigitsByKey } from '../digit-input';
import { element, paintGrey, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

const DRAWS = 8;
/** Draws from the scaled cloud that the reconstruction term of the trade-off is averaged over, and their seed. */
const SPREAD_DRAWS = 64;
const SPREAD_SEED = 7;

export function createLearnView(context: ViewContext): View {
  const section = element<HTMLElement>('view-learn');
  const palette = element<HTMLCanvasElement>('learn-digits');
  const inputCanvas = element<HTMLCanvasElement>('learn-input');
  const drawsCanvas = element<HTMLCanvasElement>('learn-draws');
  const meanCanvas = element<HTMLCanvasElement>('learn-mean');
  const posteriorOut = element<HTMLOutputElement>('learn-posterior');
  const zOut = element<HTMLOutputElement>('learn-z');
  const termsOut = element<HTMLOutputElement>('learn-terms');
  const redrawButton = element<HTMLButtonElement>('learn-redraw');
  const spreadInput = element<HTMLInputElement>('learn-spread');
  const spreadValue = element<HTMLOutputElement>('learn-spread-value');
  const spreadTerms = element<HTMLOutputElement>('learn-spread-terms');
  const reconstructionBar = element<HTMLSpanElement>('learn-bar-reconstruction');
  const klBar = element<HTMLSpanElement>('learn-bar-kl');

  let model: VAE;
  let digits: DigitSet;
  let current = { label: 0, index: 0 };
  let seed = 1;
  let busy = Promise.resolve();

  const format = (values: ArrayLike<number>) => `(${Array.from(values, (v) => v.toFixed(2)).join(', ')})`;

  async function show(): Promise<void> {
    const pixels = digits[current.label][current.index];
    paintGrey(inputCanvas, pixels, DIGIT_SIDE, DIGIT_SIDE);
    const out = tf.tidy(() => {
      const x = tf.tensor2d(pixels, [1, DIGIT_PIXELS]);
      const { mean, logVar } = model.encode(x);
      const posterior = new DiagonalGaussian(mean, logVar);
      const z = tf.reshape(posterior.sample({ samples: DRAWS, seed }), [DRAWS, model.latentDim]);
      const decodedMean = tf.reshape(model.decode(mean), [1, DIGIT_PIXELS]);
      return {
        mean,
        sigma: posterior.standardDeviation(),
        z,
        draws: model.decode(z),
        decodedMean,
        reconstruction: binaryCrossEntropy(x, decodedMean, { epsilon: 1e-6 }),
        kl: klDivergenceStandardNormal(mean, logVar),
      };
    });
    try {
      const [mean, sigma, z, reconstruction, kl, decodedMean] = await Promise.all([
        out.mean.data(),
        out.sigma.data(),
        out.z.data(),
        out.reconstruction.data(),
        out.kl.data(),
        out.decodedMean.data(),
      ]);
      paintGrey(meanCanvas, decodedMean, DIGIT_SIDE, DIGIT_SIDE);
      drawToCanvas(
        drawsCanvas,
        imageGrid(await tensorToImageBatch(out.draws), { columns: 4, padding: 2, background: 0.16 }),
        { scale: 2 },
      );
      posteriorOut.textContent = `μ = ${format(mean)}, σ = ${format(sigma)}`;
      const first = Array.from(z.subarray(0, model.latentDim));
      zOut.textContent = `e.g. z = ${format(first)} (the first of ${DRAWS} draws)`;
      termsOut.textContent =
        `reconstruction −log p(x|z = μ) = ${reconstruction[0].toFixed(1)} nats, ` +
        `KL(q(z|x) ‖ N(0, I)) = ${kl[0].toFixed(2)} nats: the loss is their sum, ${(reconstruction[0] + kl[0]).toFixed(1)}`;
      section.dataset.mu = Array.from(mean, (v) => v.toFixed(4)).join(',');
      section.dataset.sigma = Array.from(sigma, (v) => v.toFixed(4)).join(',');
      section.dataset.draws = String(DRAWS);
    } finally {
      tf.dispose(Object.values(out));
    }
  }

  /**
   * The two terms for the digit's cloud with sigma scaled by `factor`: E[-log p(x|z)] over SPREAD_DRAWS draws and the
   * KL to N(0, I), both in nats; then the same at factor 1, to size the bars.
   */
  async function showSpread(): Promise<void> {
    const factor = 2 ** Number(spreadInput.value);
    const pixels = digits[current.label][current.index];
    const terms = tf.tidy(() => {
      const x = tf.tensor2d(pixels, [1, DIGIT_PIXELS]);
      const { mean, logVar } = model.encode(x);
      const targets = tf.tile(x, [SPREAD_DRAWS, 1]);
      const at = (scale: number) => {
        const scaledLogVar = tf.add(logVar, 2 * Math.log(scale));
        const posterior = new DiagonalGaussian(mean, scaledLogVar);
        const z = tf.reshape(posterior.sample({ samples: SPREAD_DRAWS, seed: SPREAD_SEED }), [
          SPREAD_DRAWS,
          model.latentDim,
        ]);
        const decoded = tf.reshape(model.decode(z), [SPREAD_DRAWS, DIGIT_PIXELS]);
        return [
          tf.reshape(binaryCrossEntropy(targets, decoded, { epsilon: 1e-6 }), [1]),
          tf.reshape(klDivergenceStandardNormal(mean, scaledLogVar), [1]),
        ];
      };
      return tf.concat([...at(factor), ...at(1)]);
    });
    let values: Float32Array;
    try {
      values = (await terms.data()) as Float32Array;
    } finally {
      terms.dispose();
    }
    const [reconstruction, kl, reconstructionAtOne, klAtOne] = values;
    const total = reconstruction + kl;
    const totalAtOne = reconstructionAtOne + klAtOne;
    spreadValue.textContent = factor >= 1 ? String(factor) : `1/${Math.round(1 / factor)}`;
    spreadTerms.textContent =
      `reconstruction ${reconstruction.toFixed(1)} + KL ${kl.toFixed(2)} = ${total.toFixed(1)} nats` +
      (factor === 1
        ? " (the encoder's own σ)"
        : ` (${total >= totalAtOne ? '+' : '−'}${Math.abs(total - totalAtOne).toFixed(1)} against the encoder's own σ)`);
    // the bars: the full width is twice the loss at the encoder's own sigma
    const width = (value: number) => `${Math.min(100, (50 * value) / totalAtOne).toFixed(1)}%`;
    reconstructionBar.style.width = width(reconstruction);
    klBar.style.width = width(kl);
    section.dataset.spread = String(factor);
    section.dataset.spreadReconstruction = reconstruction.toFixed(3);
    section.dataset.spreadKl = kl.toFixed(3);
  }

  /** Runs one redraw after another, never two at once. */
  function request(): Promise<void> {
    busy = busy
      .then(show)
      .then(showSpread)
      .catch((error) =>
        context.fail('How it works: decoding failed', error instanceof Error ? error.message : String(error)),
      );
    return busy;
  }

  function pick(label: number, index: number): void {
    current = { label, index };
    updateUrl({ d: `${label}.${index}` });
    void request();
  }

  function drawPalette(): void {
    const columns = digits[0].length;
    palette.width = columns * DIGIT_SIDE;
    palette.height = 10 * DIGIT_SIDE;
    const g = palette.getContext('2d')!;
    const small = document.createElement('canvas');
    small.width = small.height = DIGIT_SIDE;
    let scratch: ReturnType<typeof paintGrey> | undefined;
    for (let label = 0; label < 10; label++) {
      for (let k = 0; k < columns; k++) {
        scratch = paintGrey(small, digits[label][k], DIGIT_SIDE, DIGIT_SIDE, scratch);
        g.drawImage(small, k * DIGIT_SIDE, label * DIGIT_SIDE);
      }
    }
  }

  return {
    async start() {
      [model, digits] = await Promise.all([getModel(MAP_MODEL), getDigits()]);
      const shared = context.parameters.get('d')?.split('.').map(Number);
      if (shared?.length === 2 && digits[shared[0]]?.[shared[1]])
        current = { label: shared[0], index: shared[1] };
      else current = { label: 0, index: 0 };
      drawPalette();
      palette.addEventListener('click', (event) => {
        const box = palette.getBoundingClientRect();
        const k = Math.floor(((event.clientX - box.left) / box.width) * digits[0].length);
        const label = Math.floor(((event.clientY - box.top) / box.height) * 10);
        if (digits[label]?.[k]) pick(label, k);
      });
      pickDigitsByKey(palette, (label) => digits[label].length, pick);
      redrawButton.addEventListener('click', () => {
        seed += 1;
        void request();
      });
      redrawButton.disabled = false;
      spreadInput.disabled = false;
      let spreadPending = false;
      spreadInput.addEventListener('input', () => {
        // one computation in flight at most; the latest position wins
        if (spreadPending) return;
        spreadPending = true;
        busy = busy
          .then(() => {
            spreadPending = false;
            return showSpread();
          })
          .catch((error) =>
            context.fail(
              'How it works: the trade-off failed',
              error instanceof Error ? error.message : String(error),
            ),
          );
      });
      context.setStatus('learn', `the 2-D VAE ${MAP_MODEL}: two code numbers, so every value can be shown`);
      await request();
    },
  };
}
