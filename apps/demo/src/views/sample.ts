/**
 * Sample: a grid of digits decoded from random points of the prior N(0, t^2 I). The temperature slider redraws the
 * same draws scaled, so its effect is visible; "New samples" draws new points. `<body data-renders>` counts the
 * grids drawn (a hook for tests).
 */
import type { VAE } from '@vae/models';
import { drawToCanvas, imageGrid, tensorToImageBatch } from '@vae/viz';
import { DEFAULT_MODEL, describeModel, getModel } from '../assets';
import { element, escapeHtml, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

const SAMPLE_COUNT = 64;
const COLUMNS = 8;
const PADDING = 2;
/** Grey level of the space between tiles. */
const GRID_BACKGROUND = 0.16;
/** Canvas pixels per model pixel. */
const SCALE = 3;

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export function createSampleView(context: ViewContext): View {
  const canvas = element<HTMLCanvasElement>('samples');
  const newSamplesButton = element<HTMLButtonElement>('new-samples');
  const temperatureInput = element<HTMLInputElement>('temperature');
  const temperatureValue = element<HTMLOutputElement>('temperature-value');

  let model: VAE;
  let modelInfo = '';
  let seed = randomSeed();
  let renders = 0;
  let drawing = false;
  let redrawRequested = false;

  async function render(): Promise<void> {
    const temperature = Number(temperatureInput.value);
    const started = performance.now();
    const samples = model.sample(SAMPLE_COUNT, { temperature, seed });
    let batch: Awaited<ReturnType<typeof tensorToImageBatch>>;
    try {
      batch = await tensorToImageBatch(samples);
    } finally {
      samples.dispose();
    }
    drawToCanvas(
      canvas,
      imageGrid(batch, { columns: COLUMNS, padding: PADDING, background: GRID_BACKGROUND }),
      {
        scale: SCALE,
      },
    );
    const milliseconds = performance.now() - started;
    renders += 1;
    document.body.dataset.renders = String(renders);
    context.setStatus(
      'sample',
      `${escapeHtml(modelInfo)} · ${SAMPLE_COUNT} samples at temperature ${temperature.toFixed(2)} in ` +
        `${milliseconds.toFixed(0)} ms`,
    );
  }

  /** Draws now, or once more after the drawing in progress, so fast slider moves never queue up. */
  async function requestRender(): Promise<void> {
    if (drawing) {
      redrawRequested = true;
      return;
    }
    drawing = true;
    try {
      do {
        redrawRequested = false;
        await render();
      } while (redrawRequested);
    } catch (error) {
      context.fail('Drawing the samples failed', error instanceof Error ? error.message : String(error));
    } finally {
      drawing = false;
    }
  }

  return {
    async start() {
      model = await getModel(context.model(DEFAULT_MODEL));
      modelInfo = describeModel(model);
      const shared = Number(context.parameters.get('t'));
      if (shared >= 0.1 && shared <= 1.5) {
        temperatureInput.value = String(shared);
        temperatureValue.textContent = shared.toFixed(2);
      }
      newSamplesButton.addEventListener('click', () => {
        seed = randomSeed();
        void requestRender();
      });
      temperatureInput.addEventListener('input', () => {
        temperatureValue.textContent = Number(temperatureInput.value).toFixed(2);
        updateUrl({ t: Number(temperatureInput.value).toFixed(2) });
        void requestRender();
      });
      await requestRender();
      newSamplesButton.disabled = false;
      temperatureInput.disabled = false;
    },
    async reload() {
      model = await getModel(context.model(DEFAULT_MODEL));
      modelInfo = describeModel(model);
      await requestRender();
    },
  };
}
