/**
 * Draw: a digit drawn with the pointer (a thick brush on a 280 x 280 canvas, brought to 28 x 28 like MNIST: scaled
 * into a 20-pixel box and centred by its centre of mass) is encoded on every stroke. The page shows what the
 * model sees, its reconstruction, the posterior q(z|x) (its mean and standard deviation: an ellipse on the 2-D
 * map, bars for the 20-D code), and samples from the posterior. Erased parts of a digit are inpainted (the erased
 * pixels are replaced by the reconstruction, a few times over). Noise added to the input (salt and pepper, or
 * masking: pixels blanked) is cleaned by a denoising autoencoder trained with masking noise (`mnist-dae`, any
 * saved model class that reconstructs 784 pixels), shown beside the VAE's reconstruction (trained on clean digits).
 * Hooks on `#view-draw`: `data-noisy-error`, `data-cleaned-error` and `data-denoised-error` (mean squared
 * differences from the clean drawing of the noisy input, of the VAE's reconstruction and of the denoising
 * autoencoder's output); `#draw-reconstruction` and `#draw-denoised` count `data-renders`.
 *
 * The drawing is kept in the address (`?ink=`, see `drawing-link.ts`): strokes are recorded on a 256-step grid
 * over the pad, points closer than `LINK_MIN_STEP` pixels to the last one are skipped, and the pad draws exactly
 * the recorded segments, so a shared link redraws the same pad. A link that cannot be read leaves the pad empty
 * and says why.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropy,
  DiagonalGaussian,
  klDivergenceStandardNormal,
  meanSquaredError,
} from '@vae/core';
import type { AnyModel, VAE } from '@vae/models';
import {
  type Codes,
  DEFAULT_MODEL,
  DENOISING_MODEL,
  DIGIT_PIXELS,
  DIGIT_SIDE,
  type DigitSet,
  describeModel,
  getAnyModel,
  getCodes,
  getDigits,
  getModel,
  MAP_MODEL,
} from '../assets';
import {
  canvas2d,
  DrawingPad,
  type InputTransform,
  mnistTransform,
  plainTransform,
  reduceCanvas,
  strokeLine,
} from '../digit-input';
import {
  type DrawingRecord,
  decodeDrawing,
  encodeDrawing,
  LINK_STEPS,
  MAX_LINK_POINTS,
} from '../drawing-link';
import { drawScatter, type MapFrame, mapRange, toPixelX, toPixelY } from '../latent-map';
import { latestOnly } from '../latest-only';
import { ACCENT, bumpRenders, element, escapeHtml, fitCanvas, paintGrey, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

/** Drawing canvas side in pixels: 10 per model pixel. */
const PAD = 280;
const PEN_WIDTH = 22;
const ERASER_WIDTH = 30;
/** Posterior samples shown. */
const SAMPLES = 8;
/** Rounds of inpainting: erased pixels := reconstruction, keeping the rest. */
const INPAINT_ROUNDS = 8;
const MAP_SIZE = 300;
/** Pad pixels between two recorded points of a stroke (the brush is 22 wide: the path looks the same). */
const LINK_MIN_STEP = 3;

type Tool = 'pen' | 'eraser';
type NoiseKind = 'salt-and-pepper' | 'masking';

/**
 * Fixed pseudo-random numbers in [0, 1) (mulberry32), so that the noise does not flicker while drawing and more
 * noise only adds noisy pixels.
 */
function uniformNoise(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return values;
}

export function createDrawView(context: ViewContext): View {
  const pad = element<HTMLCanvasElement>('draw-pad');
  const inputCanvas = element<HTMLCanvasElement>('draw-input');
  const reconstructionCanvas = element<HTMLCanvasElement>('draw-reconstruction');
  const denoisedCanvas = element<HTMLCanvasElement>('draw-denoised');
  const denoisedFigure = element<HTMLElement>('draw-denoised-figure');
  const noiseKindSelect = element<HTMLSelectElement>('draw-noise-kind');
  const inpaintedCanvas = element<HTMLCanvasElement>('draw-inpainted');
  const inpaintedFigure = element<HTMLElement>('draw-inpainted-figure');
  const samplesCanvas = element<HTMLCanvasElement>('draw-samples');
  const mapCanvas = element<HTMLCanvasElement>('draw-map');
  const posteriorCanvas = element<HTMLCanvasElement>('draw-posterior');
  const statsLine = element<HTMLParagraphElement>('draw-stats');
  const noiseInput = element<HTMLInputElement>('draw-noise');
  const noiseValue = element<HTMLOutputElement>('draw-noise-value');
  const centreInput = element<HTMLInputElement>('draw-centre');
  const examples = element<HTMLCanvasElement>('draw-examples');
  const penButton = element<HTMLButtonElement>('draw-pen');
  const eraserButton = element<HTMLButtonElement>('draw-eraser');
  const hint = element<HTMLParagraphElement>('draw-hint');
  const linkNote = element<HTMLParagraphElement>('draw-link-note');
  const section = element<HTMLElement>('view-draw');

  const padContext = pad.getContext('2d', { willReadFrequently: true })!;
  /** Every pen stroke, never erased: the digit's frame (scale and centre) comes from it, so erasing part of a
   * digit does not move the rest. */
  const everInk = canvas2d(PAD, PAD);
  /** White where the eraser went over ink (and no pen since). */
  const eraseMask = canvas2d(PAD, PAD);
  /** The erased pixels that held ink: the part to inpaint. */
  const erasedInk = canvas2d(PAD, PAD);
  const small = canvas2d(DIGIT_SIDE, DIGIT_SIDE);
  /** Noise: pixel i is noisy when noiseAt[i] < level, then black (masking) or white or black by noiseTo[i]. */
  const noiseAt = uniformNoise(DIGIT_PIXELS, 7);
  const noiseTo = uniformNoise(DIGIT_PIXELS, 8);

  let model: VAE;
  let mapModel: VAE | undefined;
  /** The denoising autoencoder (or any model that reconstructs 784 pixels), if it loaded. */
  let denoiser: AnyModel | undefined;
  let codes: Codes | undefined;
  let frame: MapFrame = { size: MAP_SIZE, range: 3 };
  let mapLayer: HTMLCanvasElement | undefined;
  let tool: Tool = 'pen';
  let empty = true;
  let modelInfo = '';
  /** The drawing as kept in the address: strokes on the link's grid, and loaded test digits. */
  let records: DrawingRecord[] = [];
  let linkPoints = 0;
  /** The last recorded point of the current stroke, in pad pixels. */
  let lastPoint: [number, number] | null = null;
  const scratch: Record<string, ReturnType<typeof paintGrey> | undefined> = {};

  function clear(): void {
    padContext.fillStyle = '#000';
    padContext.fillRect(0, 0, PAD, PAD);
    for (const g of [everInk, eraseMask]) {
      g.fillStyle = '#000';
      g.fillRect(0, 0, PAD, PAD);
    }
    empty = true;
  }

  function stroke(from: [number, number], to: [number, number]): void {
    const lines: Array<[CanvasRenderingContext2D, string, number]> =
      tool === 'pen'
        ? [
            [padContext, '#fff', PEN_WIDTH],
            [everInk, '#fff', PEN_WIDTH],
            [eraseMask, '#000', PEN_WIDTH],
          ]
        : [
            [padContext, '#000', ERASER_WIDTH],
            [eraseMask, '#fff', ERASER_WIDTH],
          ];
    for (const [g, colour, width] of lines) strokeLine(g, from, to, colour, width);
    if (tool === 'pen') empty = false;
  }

  /** Where the drawing goes in the 28 x 28 input (see `mnistTransform`), from all ink ever drawn. */
  function inputTransform(): InputTransform {
    return centreInput.checked ? mnistTransform(everInk) : plainTransform(PAD);
  }

  function reduce(source: HTMLCanvasElement, transform: InputTransform): Float32Array {
    return reduceCanvas(source, transform, small);
  }

  /** Grey values with the masked pixels tinted in the accent colour (the inpainted part). */
  function paintTinted(canvas: HTMLCanvasElement, values: ArrayLike<number>, mask: Float32Array): void {
    const image = new ImageData(DIGIT_SIDE, DIGIT_SIDE);
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      const v = Math.min(1, Math.max(0, values[i]));
      const m = mask[i];
      image.data[4 * i] = Math.round(255 * v * (1 - 0.55 * m) + 20 * m);
      image.data[4 * i + 1] = Math.round(255 * v * (1 - 0.3 * m) + 30 * m);
      image.data[4 * i + 2] = Math.round(255 * v + 70 * m * (1 - v));
      image.data[4 * i + 3] = 255;
    }
    const g = small;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.putImageData(image, 0, 0);
    const target = canvas.getContext('2d')!;
    target.imageSmoothingEnabled = false;
    target.drawImage(g.canvas, 0, 0, canvas.width, canvas.height);
  }

  function drawMapLayer(): void {
    const ratio = fitCanvas(mapCanvas, MAP_SIZE, MAP_SIZE);
    const layer = mapLayer ?? document.createElement('canvas');
    layer.width = mapCanvas.width;
    layer.height = mapCanvas.height;
    const g = layer.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawScatter(g, frame, codes, { opacity: 0.35 });
    mapLayer = layer;
  }

  /** The map with the posterior N(mean, diag(sigma^2)) of the 2-D model: 1 and 2 standard deviation ellipses. */
  function drawPosteriorOnMap(
    mean: ArrayLike<number> | undefined,
    sigma: ArrayLike<number> | undefined,
  ): void {
    const ratio = fitCanvas(mapCanvas, MAP_SIZE, MAP_SIZE);
    const g = mapCanvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    if (mapLayer) g.drawImage(mapLayer, 0, 0);
    if (!mean || !sigma) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const x = toPixelX(frame, mean[0]);
    const y = toPixelY(frame, mean[1]);
    const unit = MAP_SIZE / (2 * frame.range);
    for (const [k, alpha] of [
      [2, 0.12],
      [1, 0.25],
    ] as const) {
      g.beginPath();
      g.ellipse(x, y, Math.max(1.5, k * sigma[0] * unit), Math.max(1.5, k * sigma[1] * unit), 0, 0, 7);
      g.fillStyle = `rgb(59 91 219 / ${alpha})`;
      g.fill();
      g.lineWidth = 1.5;
      g.strokeStyle = ACCENT;
      g.stroke();
    }
    g.beginPath();
    g.arc(x, y, 4, 0, 7);
    g.fillStyle = ACCENT;
    g.fill();
    g.lineWidth = 1.5;
    g.strokeStyle = '#fff';
    g.stroke();
  }

  /** One row per latent dimension: the prior's +-2 band in grey, the posterior's mean +- 2 sigma in colour. */
  function drawPosteriorBars(mean: ArrayLike<number>, sigma: ArrayLike<number>): void {
    const width = 420;
    const shown = Math.min(mean.length, 32);
    const height = 150;
    const ratio = fitCanvas(posteriorCanvas, width, height);
    const g = posteriorCanvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, width, height);
    const top = 8;
    const bottom = height - 22;
    const range = 4;
    const toY = (value: number) => top + ((range - value) / (2 * range)) * (bottom - top);
    g.fillStyle = '#eef1f5';
    g.fillRect(30, toY(2), width - 36, toY(-2) - toY(2));
    g.strokeStyle = '#c5ccd8';
    g.beginPath();
    g.moveTo(30, toY(0) + 0.5);
    g.lineTo(width - 6, toY(0) + 0.5);
    g.stroke();
    g.fillStyle = '#8a94a6';
    g.font = '10px system-ui, sans-serif';
    g.textAlign = 'right';
    for (const value of [-4, -2, 0, 2, 4]) g.fillText(String(value), 24, toY(value) + 3);
    const step = (width - 40) / shown;
    g.textAlign = 'center';
    for (let j = 0; j < shown; j++) {
      const x = 36 + step * (j + 0.5);
      const low = Math.max(-range, mean[j] - 2 * sigma[j]);
      const high = Math.min(range, mean[j] + 2 * sigma[j]);
      g.strokeStyle = ACCENT;
      g.lineWidth = Math.min(8, step * 0.5);
      g.globalAlpha = 0.35;
      g.beginPath();
      g.moveTo(x, toY(low));
      g.lineTo(x, toY(high));
      g.stroke();
      g.globalAlpha = 1;
      g.fillStyle = ACCENT;
      g.beginPath();
      g.arc(x, toY(Math.max(-range, Math.min(range, mean[j]))), 2.5, 0, 7);
      g.fill();
      g.fillStyle = '#8a94a6';
      if (shown <= 20 || j % 2 === 0) g.fillText(String(j + 1), x, height - 8);
    }
  }

  /**
   * How far the noisy input, the VAE's reconstruction and the denoiser's output (NaN without one) are from the
   * clean drawing, as mean squared differences; kept for tests on the section.
   */
  function noiseText(level: number, errors: ArrayLike<number>): string {
    const [noisy, cleaned, denoised] = Array.from(errors);
    section.dataset.noisyError = noisy.toFixed(5);
    section.dataset.cleanedError = cleaned.toFixed(5);
    let denoiserText = '';
    if (!Number.isNaN(denoised)) {
      section.dataset.denoisedError = denoised.toFixed(5);
      denoiserText = `, the denoising autoencoder's output by ${denoised.toFixed(3)}`;
    }
    return (
      `${Math.round(level * 100)} % of pixels noisy: off the clean drawing by ${noisy.toFixed(3)} ` +
      `(mean squared), the VAE's reconstruction by ${cleaned.toFixed(3)}${denoiserText}`
    );
  }

  /** Encodes the drawing and draws every output. */
  async function update(): Promise<void> {
    const transform = inputTransform();
    const clean = reduce(pad, transform);
    erasedInk.globalCompositeOperation = 'copy';
    erasedInk.drawImage(eraseMask.canvas, 0, 0);
    erasedInk.globalCompositeOperation = 'multiply';
    erasedInk.drawImage(everInk.canvas, 0, 0);
    erasedInk.globalCompositeOperation = 'source-over';
    const mask = reduce(erasedInk.canvas, transform);
    let erased = 0;
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      mask[i] = mask[i] > 0.3 ? 1 : 0;
      erased += mask[i];
    }
    const level = Number(noiseInput.value);
    const masking = (noiseKindSelect.value as NoiseKind) === 'masking';
    const input = new Float32Array(DIGIT_PIXELS);
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      input[i] = noiseAt[i] < level ? (masking || noiseTo[i] >= 0.5 ? 0 : 1) : clean[i];
    }

    const outputs = tf.tidy(() => {
      const x = tf.tensor2d(input, [1, DIGIT_PIXELS]);
      const { mean, logVar } = model.encode(x);
      const reconstruction = model.decode(mean);
      const posterior = new DiagonalGaussian(mean, logVar);
      const sigma = posterior.standardDeviation();
      // The same draws every time (seeded), so the samples change only with the drawing.
      const draws = posterior.sample({ samples: SAMPLES, seed: 3 });
      const samples = model.decode(tf.reshape(draws, [SAMPLES, model.latentDim]));
      const flat = tf.reshape(reconstruction, [1, DIGIT_PIXELS]);
      // core's losses, nats: -log p(x | z = mean) and KL(q(z|x) || N(0, I))
      const bce = binaryCrossEntropy(x, flat, { epsilon: 1e-6 });
      const kl = klDivergenceStandardNormal(mean, logVar);
      // Mean squared differences from the clean drawing (core's meanSquaredError).
      const cleanPixels = tf.tensor2d(clean, [1, DIGIT_PIXELS]);
      const difference = (other: tf.Tensor) =>
        meanSquaredError(cleanPixels, tf.reshape(other, [1, DIGIT_PIXELS]));
      let inpainted: tf.Tensor | undefined;
      if (erased > 0) {
        const keep = tf.tensor2d(
          mask.map((m) => 1 - m),
          [1, DIGIT_PIXELS],
        );
        const known = tf.mul(x, keep);
        let current: tf.Tensor = x;
        for (let round = 0; round < INPAINT_ROUNDS; round++) {
          const filled = tf.reshape(model.decode(model.encode(current).mean), [1, DIGIT_PIXELS]);
          current = tf.add(known, tf.mul(filled, tf.sub(1, keep)));
        }
        inpainted = current;
      }
      let map: { mean: tf.Tensor; sigma: tf.Tensor } | undefined;
      if (mapModel) {
        const posterior = mapModel.encode(x);
        map = { mean: posterior.mean, sigma: tf.exp(tf.mul(posterior.logVar, 0.5)) };
      }
      const denoised = denoiser?.reconstruct(x);
      // noisy input, reconstruction, denoiser's output (NaN without one)
      const errors = tf.stack([
        difference(x),
        difference(reconstruction),
        denoised ? difference(denoised) : tf.scalar(Number.NaN),
      ]);
      return { mean, sigma, reconstruction, samples, bce, kl, errors, inpainted, map, denoised };
    });
    try {
      const [mean, sigma, reconstruction, samples, bce, kl, errors, inpainted, mapMean, mapSigma, denoised] =
        await Promise.all([
          outputs.mean.data(),
          outputs.sigma.data(),
          outputs.reconstruction.data(),
          outputs.samples.data(),
          outputs.bce.data(),
          outputs.kl.data(),
          outputs.errors.data(),
          outputs.inpainted?.data(),
          outputs.map?.mean.data(),
          outputs.map?.sigma.data(),
          outputs.denoised?.data(),
        ]);
      scratch.input = paintGrey(inputCanvas, input, DIGIT_SIDE, DIGIT_SIDE, scratch.input);
      scratch.reconstruction = paintGrey(
        reconstructionCanvas,
        reconstruction,
        DIGIT_SIDE,
        DIGIT_SIDE,
        scratch.reconstruction,
      );
      if (denoised) {
        scratch.denoised = paintGrey(denoisedCanvas, denoised, DIGIT_SIDE, DIGIT_SIDE, scratch.denoised);
        denoisedCanvas.dataset.empty = String(empty);
        bumpRenders(denoisedCanvas);
      }
      inpaintedFigure.hidden = !inpainted;
      if (inpainted) {
        paintTinted(inpaintedCanvas, inpainted, mask);
        bumpRenders(inpaintedCanvas);
      }
      // posterior samples side by side, 1 pixel apart
      const g = samplesCanvas.getContext('2d')!;
      g.fillStyle = '#292929';
      g.fillRect(0, 0, samplesCanvas.width, samplesCanvas.height);
      const tile = samplesCanvas.height;
      for (let k = 0; k < SAMPLES; k++) {
        const one = samples.subarray(k * DIGIT_PIXELS, (k + 1) * DIGIT_PIXELS);
        scratch.sample = paintGrey(small.canvas, one, DIGIT_SIDE, DIGIT_SIDE, scratch.sample);
        g.imageSmoothingEnabled = false;
        g.drawImage(scratch.sample.canvas, k * (tile + 4), 0, tile, tile);
      }
      drawPosteriorOnMap(mapMean, mapSigma);
      drawPosteriorBars(mean, sigma);
      const meanSigma = Array.from(sigma).reduce((sum, value) => sum + value, 0) / sigma.length;
      const mapText =
        mapMean && mapSigma
          ? `2-D code: mean (${mapMean[0].toFixed(2)}, ${mapMean[1].toFixed(2)}), σ (${mapSigma[0].toFixed(2)}, ` +
            `${mapSigma[1].toFixed(2)}). `
          : '';
      statsLine.textContent =
        `${mapText}${model.latentDim}-D code: average σ ${meanSigma.toFixed(2)}, KL to the prior ${kl[0].toFixed(1)} nats, ` +
        `reconstruction error ${bce[0].toFixed(1)} nats` +
        (erased ? ` · ${erased} erased pixels inpainted` : '') +
        (level > 0 ? ` · ${noiseText(level, errors)}` : '');
      reconstructionCanvas.dataset.empty = String(empty);
      bumpRenders(reconstructionCanvas);
      hint.hidden = !empty;
    } finally {
      tf.dispose(outputs as unknown as tf.TensorContainer);
    }
  }

  /** Encodes the latest drawing: strokes arriving while an update runs give one more update, not a queue. */
  const updater = latestOnly<void>(update, (error) =>
    context.fail('Encoding the drawing failed', error instanceof Error ? error.message : String(error)),
  );
  let scheduled = false;
  /** Updates after the current frame. */
  function requestUpdate(): void {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      updater.request();
    });
  }

  const toGrid = (value: number) => Math.max(0, Math.min(LINK_STEPS, Math.round((value * LINK_STEPS) / PAD)));
  const fromGrid = (step: number) => (step * PAD) / LINK_STEPS;

  /** Writes the drawing into the address (debounced by updateUrl); says so when it is too long to keep whole. */
  function saveLink(): void {
    updateUrl({ ink: encodeDrawing(records) || null });
    const cut = linkPoints >= MAX_LINK_POINTS;
    linkNote.hidden = !cut;
    if (cut) linkNote.textContent = `The link keeps the first ${MAX_LINK_POINTS} points of this drawing.`;
  }

  function startStroke(): void {
    lastPoint = null;
    records.push({ kind: tool, points: [] });
  }

  /** A pointer position: snapped to the link's grid, recorded, and drawn from the last recorded point. */
  function addPoint(at: [number, number]): void {
    const grid: [number, number] = [toGrid(at[0]), toGrid(at[1])];
    const point: [number, number] = [fromGrid(grid[0]), fromGrid(grid[1])];
    if (lastPoint && Math.hypot(point[0] - lastPoint[0], point[1] - lastPoint[1]) < LINK_MIN_STEP) return;
    stroke(lastPoint ?? point, point);
    lastPoint = point;
    const current = records.at(-1);
    if (current && current.kind !== 'digit' && linkPoints < MAX_LINK_POINTS) {
      current.points.push(grid);
      linkPoints += 1;
    }
    saveLink();
    requestUpdate();
  }

  /** Redraws the drawing of a `?ink=` link; a text that cannot be read leaves the pad empty, and says why. */
  async function restoreLink(text: string): Promise<void> {
    let digits: DigitSet | undefined;
    try {
      digits = await getDigits();
    } catch {
      digits = undefined;
    }
    const result = decodeDrawing(text, { classes: 10, perClass: digits?.[0]?.length ?? 0 });
    if (!result.ok) {
      console.warn(`Draw view: the drawing in the address (?ink=) was not read: ${result.reason}.`);
      linkNote.textContent = `The drawing in this link could not be read (${result.reason}); the pad starts empty.`;
      linkNote.hidden = false;
      updateUrl({ ink: null });
      return;
    }
    for (const record of result.records) {
      if (record.kind === 'digit') {
        loadDigit(digits![record.label][record.index]);
        records = [record];
        linkPoints = 0;
        continue;
      }
      setTool(record.kind);
      startStroke();
      for (const [x, y] of record.points) addPoint([fromGrid(x), fromGrid(y)]);
    }
    lastPoint = null;
    saveLink();
  }

  function setTool(next: Tool): void {
    tool = next;
    penButton.setAttribute('aria-pressed', String(next === 'pen'));
    eraserButton.setAttribute('aria-pressed', String(next === 'eraser'));
    pad.dataset.tool = next;
  }

  /** Puts a 28 x 28 digit on the pad (scaled up 10 times, smoothly), replacing the drawing. */
  function loadDigit(pixels: Float32Array): void {
    clear();
    const image = new ImageData(DIGIT_SIDE, DIGIT_SIDE);
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = Math.round(pixels[i] * 255);
      image.data[4 * i + 3] = 255;
    }
    small.setTransform(1, 0, 0, 1, 0, 0);
    small.putImageData(image, 0, 0);
    for (const g of [padContext, everInk]) {
      g.imageSmoothingEnabled = true;
      g.imageSmoothingQuality = 'high';
      g.drawImage(small.canvas, 0, 0, PAD, PAD);
    }
    empty = false;
    setTool('eraser');
    requestUpdate();
  }

  function drawExamples(digits: DigitSet): void {
    const g = examples.getContext('2d')!;
    examples.width = 10 * DIGIT_SIDE;
    examples.height = DIGIT_SIDE;
    for (let label = 0; label < 10; label++) {
      scratch.example = paintGrey(small.canvas, digits[label][0], DIGIT_SIDE, DIGIT_SIDE, scratch.example);
      g.drawImage(scratch.example.canvas, label * DIGIT_SIDE, 0);
    }
    let variant = 0;
    const pick = (label: number) => {
      variant = (variant + 1) % digits[label].length;
      loadDigit(digits[label][variant]);
      records = [{ kind: 'digit', label, index: variant }];
      linkPoints = 0;
      saveLink();
    };
    examples.addEventListener('click', (event) => {
      const box = examples.getBoundingClientRect();
      pick(Math.min(9, Math.floor(((event.clientX - box.left) / box.width) * 10)));
    });
    // from the keyboard: a digit key loads a test digit of that class (another one on each press)
    examples.addEventListener('keydown', (event) => {
      if (!/^[0-9]$/.test(event.key)) return;
      event.preventDefault();
      pick(Number(event.key));
    });
  }

  function useModel(next: VAE): void {
    model = next;
    modelInfo = describeModel(model);
    const denoiserInfo = denoiser ? ` · denoising: ${describeModel(denoiser)}` : '';
    context.setStatus('draw', `${escapeHtml(modelInfo + denoiserInfo)} · the 2-D map: ${MAP_MODEL}`);
  }

  return {
    async reload() {
      useModel(await getModel(context.model(DEFAULT_MODEL)));
      await update();
    },
    async start() {
      const reference = context.model(DEFAULT_MODEL);
      [model, mapModel, codes, denoiser] = await Promise.all([
        getModel(reference),
        getModel(MAP_MODEL).catch((error) => {
          console.warn(`no 2-D map in the Draw view: ${error instanceof Error ? error.message : error}`);
          return undefined;
        }),
        getCodes(MAP_MODEL).catch(() => undefined),
        getAnyModel(DENOISING_MODEL).catch((error) => {
          console.warn(`no denoising autoencoder: ${error instanceof Error ? error.message : error}`);
          return undefined;
        }),
      ]);
      if (mapModel && mapModel.latentDim !== 2) mapModel = undefined;
      if (!mapModel) element('draw-map-figure').hidden = true;
      if (denoiser && (denoiser.inputSize !== DIGIT_PIXELS || denoiser.usesLabels)) {
        console.warn(
          `no denoising autoencoder: ${DENOISING_MODEL} is a ${describeModel(denoiser)}, not a model of ` +
            `${DIGIT_PIXELS} pixels without labels.`,
        );
        denoiser = undefined;
      }
      denoisedFigure.hidden = !denoiser;
      denoisedFigure.title = denoiser ? describeModel(denoiser) : '';
      useModel(model);
      frame = { size: MAP_SIZE, range: mapRange(codes) };
      samplesCanvas.width = SAMPLES * DIGIT_SIDE * 2 + (SAMPLES - 1) * 4;
      samplesCanvas.height = DIGIT_SIDE * 2;
      drawMapLayer();
      clear();
      setTool('pen');

      new DrawingPad(pad, (_from, to) => addPoint(to), startStroke);
      penButton.addEventListener('click', () => setTool('pen'));
      eraserButton.addEventListener('click', () => setTool('eraser'));
      element('draw-clear').addEventListener('click', () => {
        clear();
        records = [];
        linkPoints = 0;
        saveLink();
        setTool('pen');
        requestUpdate();
      });
      noiseInput.addEventListener('input', () => {
        noiseValue.textContent = `${Math.round(Number(noiseInput.value) * 100)} %`;
        requestUpdate();
      });
      noiseKindSelect.addEventListener('change', requestUpdate);
      centreInput.addEventListener('change', requestUpdate);
      element('draw-use').addEventListener('click', () => {
        context.shared.drawing = reduce(pad, inputTransform());
        context.showView('interpolate');
      });
      getDigits()
        .then(drawExamples)
        .catch((error) =>
          console.warn(`no example digits: ${error instanceof Error ? error.message : error}`),
        );
      const link = context.parameters.get('ink');
      if (link) await restoreLink(link);
      await update();
    },
  };
}
