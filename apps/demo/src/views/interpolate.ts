/**
 * Interpolate: two digits (picked from test digits, or the drawing) are encoded to their posterior means, and the
 * path between the codes is decoded, straight (linear) and along the great circle (spherical, which keeps the
 * code's norm typical of the prior). A slider morphs from one to the other, decoding on every move.
 */
import * as tf from '@tensorflow/tfjs-core';
import { interpolateLatent } from '@vae/core';
import type { VAE } from '@vae/models';
import { drawToCanvas, interpolationStrip } from '@vae/viz';
import {
  DEFAULT_MODEL,
  DIGIT_PIXELS,
  DIGIT_SIDE,
  type DigitSet,
  describeModel,
  getDigits,
  getModel,
} from '../assets';
import { pickDigitsByKey } from '../digit-input';
import { latestOnly } from '../latest-only';
import { ACCENT, bumpRenders, element, escapeHtml, paintGrey, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

const STEPS = 10;
type End = 'a' | 'b';

export function createInterpolateView(context: ViewContext): View {
  const palette = element<HTMLCanvasElement>('interp-digits');
  const linearCanvas = element<HTMLCanvasElement>('interp-linear');
  const sphericalCanvas = element<HTMLCanvasElement>('interp-spherical');
  const morphCanvas = element<HTMLCanvasElement>('interp-morph');
  const tInput = element<HTMLInputElement>('interp-t');
  const tValue = element<HTMLOutputElement>('interp-t-value');
  const sphericalInput = element<HTMLInputElement>('interp-morph-spherical');
  const endCanvases: Record<End, HTMLCanvasElement> = {
    a: element<HTMLCanvasElement>('interp-a'),
    b: element<HTMLCanvasElement>('interp-b'),
  };
  const pickButtons: Record<End, HTMLButtonElement> = {
    a: element<HTMLButtonElement>('interp-pick-a'),
    b: element<HTMLButtonElement>('interp-pick-b'),
  };
  const useDrawing: Record<End, HTMLButtonElement> = {
    a: element<HTMLButtonElement>('interp-drawing-a'),
    b: element<HTMLButtonElement>('interp-drawing-b'),
  };

  let model: VAE;
  let digits: DigitSet;
  let picking: End = 'a';
  const ends: Record<End, { pixels: Float32Array; code: Float32Array; key: string } | undefined> = {
    a: undefined,
    b: undefined,
  };
  /** The last drawing made an end, so that coming back to the view does not take it again. */
  let consumedDrawing: Float32Array | undefined;
  let morphScratch: ReturnType<typeof paintGrey> | undefined;
  const endScratch: Partial<Record<End, ReturnType<typeof paintGrey>>> = {};

  const decode = (z: tf.Tensor2D) => model.decode(z);

  async function encode(pixels: Float32Array): Promise<Float32Array> {
    const mean = tf.tidy(() => model.encode(tf.tensor2d(pixels, [1, DIGIT_PIXELS])).mean);
    try {
      return (await mean.data()) as Float32Array;
    } finally {
      mean.dispose();
    }
  }

  function drawPalette(): void {
    const side = DIGIT_SIDE;
    const columns = digits[0].length;
    palette.width = columns * side;
    palette.height = 10 * side;
    const g = palette.getContext('2d')!;
    let scratch: ReturnType<typeof paintGrey> | undefined;
    const tile = document.createElement('canvas');
    tile.width = side;
    tile.height = side;
    for (let label = 0; label < 10; label++) {
      for (let k = 0; k < columns; k++) {
        scratch = paintGrey(tile, digits[label][k], side, side, scratch);
        g.drawImage(tile, k * side, label * side);
      }
    }
    for (const end of ['a', 'b'] as const) {
      const key = ends[end]?.key;
      if (!key || key === 'drawing') continue;
      const [label, k] = key.split('.').map(Number);
      g.strokeStyle = end === 'a' ? ACCENT : '#e8590c';
      g.lineWidth = 2;
      g.strokeRect(k * side + 1, label * side + 1, side - 2, side - 2);
      g.fillStyle = g.strokeStyle;
      g.fillRect(k * side + 1, label * side + 1, 9, 10);
      g.fillStyle = '#fff';
      g.font = 'bold 9px system-ui, sans-serif';
      g.fillText(end.toUpperCase(), k * side + 2, label * side + 10);
    }
  }

  async function setEnd(end: End, pixels: Float32Array, key: string): Promise<void> {
    ends[end] = { pixels, code: await encode(pixels), key };
    endScratch[end] = paintGrey(endCanvases[end], pixels, DIGIT_SIDE, DIGIT_SIDE, endScratch[end]);
    if (key !== 'drawing') updateUrl({ [end]: key });
    drawPalette();
  }

  async function drawStrips(): Promise<void> {
    const a = ends.a?.code;
    const b = ends.b?.code;
    if (!a || !b) return;
    for (const [canvas, spherical] of [
      [linearCanvas, false],
      [sphericalCanvas, true],
    ] as const) {
      const image = await interpolationStrip(decode, a, b, {
        steps: STEPS,
        spherical,
        padding: 2,
        background: 0.16,
      });
      drawToCanvas(canvas, image, { scale: 2 });
      bumpRenders(canvas);
    }
  }

  /** The morph at the slider's t: values arriving while one is drawn give one more drawing, not a queue. */
  async function drawMorphOnce(): Promise<void> {
    const a = ends.a?.code;
    const b = ends.b?.code;
    if (!a || !b) return;
    const t = Number(tInput.value);
    tValue.textContent = t.toFixed(2);
    // The code at t on the path the strips show (core's interpolateLatent, linear or slerp).
    const image = tf.tidy(() => {
      const path = interpolateLatent(tf.tensor2d(a, [1, a.length]), tf.tensor2d(b, [1, b.length]), [t], {
        spherical: sphericalInput.checked,
      });
      return model.decode(tf.reshape(path, [1, a.length]));
    });
    const pixels = await image.data();
    image.dispose();
    morphScratch = paintGrey(morphCanvas, pixels, DIGIT_SIDE, DIGIT_SIDE, morphScratch);
    bumpRenders(morphCanvas);
  }
  const morph = latestOnly<void>(drawMorphOnce, (error) =>
    context.fail('Drawing the morph failed', error instanceof Error ? error.message : String(error)),
  );
  async function drawMorph(): Promise<void> {
    morph.request();
    await morph.settled();
  }

  async function refresh(): Promise<void> {
    await drawStrips();
    await drawMorph();
  }

  function choose(end: End): void {
    picking = end;
    pickButtons.a.setAttribute('aria-pressed', String(end === 'a'));
    pickButtons.b.setAttribute('aria-pressed', String(end === 'b'));
  }

  function updateDrawingButtons(): void {
    for (const end of ['a', 'b'] as const) useDrawing[end].disabled = !context.shared.drawing;
  }

  const fail = (error: unknown) =>
    context.fail('Interpolation failed', error instanceof Error ? error.message : String(error));

  return {
    async start() {
      const reference = context.model(DEFAULT_MODEL);
      [model, digits] = await Promise.all([getModel(reference), getDigits()]);
      context.setStatus('interpolate', escapeHtml(describeModel(model)));
      const parse = (key: string | null, fallback: string) => {
        const [label, k] = (key ?? fallback).split('.').map(Number);
        return digits[label]?.[k] ? `${label}.${k}` : fallback;
      };
      const keyA = parse(context.parameters.get('a'), '2.0');
      const keyB = parse(context.parameters.get('b'), '7.0');
      const pixelsOf = (key: string) => {
        const [label, k] = key.split('.').map(Number);
        return digits[label][k];
      };
      await setEnd('a', pixelsOf(keyA), keyA);
      await setEnd('b', pixelsOf(keyB), keyB);
      if (context.shared.drawing) {
        consumedDrawing = context.shared.drawing;
        await setEnd('b', consumedDrawing, 'drawing');
      }
      choose('a');
      const pick = (label: number, k: number) => {
        if (!digits[label]?.[k]) return;
        const end = picking;
        choose(end === 'a' ? 'b' : 'a');
        setEnd(end, digits[label][k], `${label}.${k}`).then(refresh).catch(fail);
      };
      palette.addEventListener('click', (event) => {
        const box = palette.getBoundingClientRect();
        const k = Math.floor(((event.clientX - box.left) / box.width) * digits[0].length);
        pick(Math.floor(((event.clientY - box.top) / box.height) * 10), k);
      });
      // from the keyboard: a digit key sets the end being picked to a test digit of that class (the next one
      // of the class on each press)
      pickDigitsByKey(palette, (label) => digits[label].length, pick);
      for (const end of ['a', 'b'] as const) {
        pickButtons[end].addEventListener('click', () => choose(end));
        useDrawing[end].addEventListener('click', () => {
          if (context.shared.drawing)
            setEnd(end, context.shared.drawing, 'drawing').then(refresh).catch(fail);
        });
      }
      tInput.addEventListener('input', () => void drawMorph().catch(fail));
      sphericalInput.addEventListener('change', () => void drawMorph().catch(fail));
      updateDrawingButtons();
      await refresh();
    },
    async reload() {
      model = await getModel(context.model(DEFAULT_MODEL));
      context.setStatus('interpolate', escapeHtml(describeModel(model)));
      for (const end of ['a', 'b'] as const) {
        const current = ends[end];
        if (current) await setEnd(end, current.pixels, current.key);
      }
      await refresh();
    },
    resume() {
      updateDrawingButtons();
      const drawing = context.shared.drawing;
      if (drawing && drawing !== consumedDrawing) {
        // coming from "Interpolate from my drawing": the drawing becomes B
        consumedDrawing = drawing;
        setEnd('b', drawing, 'drawing').then(refresh).catch(fail);
      }
    },
  };
}
