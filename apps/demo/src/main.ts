/**
 * The @vae demo: loads a VAE saved by `vae train` (or `saveModel`) over HTTP and draws a grid of samples decoded
 * from its prior. Query parameters: `?model=<url of model.json>` and `?backend=wasm|webgl|cpu`.
 *
 * For tests and scripts, `<body>` carries `data-state` ('loading', 'ready' or 'error'), `data-backend` (the
 * active backend) and `data-renders` (how many grids have been drawn).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, VAE } from '@vae/models';
import { type Image, imageGrid, tensorToImageBatch } from '@vae/viz';
import { BACKENDS, type BackendChoice, isBackendName, startBackend } from './backends';
import './style.css';

const DEFAULT_MODEL_URL = 'models/mnist-vae/model.json';
const SAMPLE_COUNT = 64;
const COLUMNS = 8;
const PADDING = 2;
/** Grey level of the space between tiles. */
const GRID_BACKGROUND = 0.16;
/** Canvas pixels per model pixel. */
const SCALE = 3;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id} element`);
  return found as T;
}

const canvas = element<HTMLCanvasElement>('samples');
const newSamplesButton = element<HTMLButtonElement>('new-samples');
const temperatureInput = element<HTMLInputElement>('temperature');
const temperatureValue = element<HTMLOutputElement>('temperature-value');
const statusLine = element<HTMLParagraphElement>('status');
const errorBox = element<HTMLDivElement>('error');

type PageState = 'loading' | 'ready' | 'error';

function setState(state: PageState): void {
  document.body.dataset.state = state;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

function showError(title: string, detail: string, hint?: string): void {
  errorBox.replaceChildren();
  const heading = document.createElement('strong');
  heading.textContent = title;
  const paragraph = document.createElement('p');
  paragraph.textContent = detail;
  errorBox.append(heading, paragraph);
  if (hint) {
    const advice = document.createElement('p');
    advice.className = 'hint';
    advice.innerHTML = hint;
    errorBox.append(advice);
  }
  errorBox.hidden = false;
  canvas.hidden = true;
  newSamplesButton.disabled = true;
  temperatureInput.disabled = true;
  const backend = document.body.dataset.backend;
  statusLine.textContent = backend ? `Backend ${backend} · stopped by the error above.` : 'Stopped.';
  setState('error');
}

/** Keeps `?model=` when switching backends with the footer links. */
function updateBackendLinks(parameters: URLSearchParams): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-backend-link]')) {
    const next = new URLSearchParams(parameters);
    const backend = link.dataset.backendLink;
    if (backend) next.set('backend', backend);
    else next.delete('backend');
    link.search = next.toString();
  }
}

/** Grey, RGB or RGBA bytes to the RGBA pixels a canvas wants. */
function toImageData(image: Image): ImageData {
  const pixels = new ImageData(image.width, image.height);
  const count = image.width * image.height;
  const { data, channels } = image;
  for (let pixel = 0; pixel < count; pixel++) {
    const target = pixel * 4;
    const source = pixel * channels;
    if (channels === 1) {
      pixels.data[target] = pixels.data[target + 1] = pixels.data[target + 2] = data[source];
    } else {
      pixels.data[target] = data[source];
      pixels.data[target + 1] = data[source + 1];
      pixels.data[target + 2] = data[source + 2];
    }
    pixels.data[target + 3] = channels === 4 ? data[source + 3] : 255;
  }
  return pixels;
}

/** Draws an image on the page's canvas, scaled up by whole pixels without smoothing. */
function draw(image: Image): void {
  const source = document.createElement('canvas');
  source.width = image.width;
  source.height = image.height;
  source.getContext('2d')!.putImageData(toImageData(image), 0, 0);
  canvas.width = image.width * SCALE;
  canvas.height = image.height * SCALE;
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
}

function architecture(model: VAE): string {
  return [model.inputSize, ...model.config.hiddenUnits, model.latentDim].join('-');
}

function parameterCount(model: VAE): number {
  return Object.values(model.variables).reduce((sum, variable) => sum + variable.size, 0);
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

async function loadVAE(url: string): Promise<VAE> {
  const model = await loadModel(tf.io.http(url));
  if (!(model instanceof VAE)) {
    model.dispose();
    throw new Error(`the model at ${url} is a ${model.className}; this demo draws samples from a VAE.`);
  }
  return model;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

async function main(): Promise<void> {
  const parameters = new URLSearchParams(location.search);
  updateBackendLinks(parameters);

  const requested = parameters.get('backend') || undefined;
  if (requested !== undefined && !isBackendName(requested)) {
    showError(
      'Unknown backend',
      `"${requested}" is not a TensorFlow.js backend this demo knows.`,
      `Use ${BACKENDS.map((name) => `<a href="?backend=${name}">?backend=${name}</a>`).join(', ')}, or leave ` +
        'it out to pick the first that works.',
    );
    return;
  }

  statusLine.textContent = requested ? `Starting the ${requested} backend…` : 'Starting TensorFlow.js…';
  let choice: BackendChoice;
  try {
    choice = await startBackend(requested);
  } catch (error) {
    showError('TensorFlow.js could not start', messageOf(error));
    return;
  }
  document.body.dataset.backend = choice.backend;
  for (const failure of choice.failures) console.warn(`backend skipped: ${failure}`);

  const modelParameter = parameters.get('model');
  const modelUrl = new URL(modelParameter || DEFAULT_MODEL_URL, location.href).href;
  statusLine.textContent = `Backend ${choice.backend}. Loading the model from ${modelUrl}…`;
  let model: VAE;
  try {
    model = await loadVAE(modelUrl);
  } catch (error) {
    const hint = modelParameter
      ? 'Check the <code>?model=</code> URL: it must point to a <code>model.json</code> saved by ' +
        '<code>vae train</code> (or <code>saveModel</code> from @vae/models), with its ' +
        '<code>weights.bin</code> beside it.'
      : 'The model that comes with the demo is missing. To create it, run from the repository root ' +
        '<code>pnpm turbo run build</code>, then <code>node apps/demo/scripts/prepare-model.mjs</code>: it ' +
        'trains a VAE with the <code>vae</code> CLI and copies it to ' +
        '<code>apps/demo/public/models/mnist-vae/</code>. Or load another model with ' +
        '<code>?model=&lt;url of model.json&gt;</code>.';
    showError(`Could not load the model from ${modelUrl}`, messageOf(error), hint);
    return;
  }

  const backendNote = choice.failures.length
    ? ` (after ${choice.failures.map((failure) => escapeHtml(failure.split(':')[0])).join(', ')} failed)`
    : '';
  const modelInfo =
    `VAE ${architecture(model)}, latent size ${model.latentDim}, ` +
    `${parameterCount(model).toLocaleString('en-US')} parameters`;

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
    draw(imageGrid(batch, { columns: COLUMNS, padding: PADDING, background: GRID_BACKGROUND }));
    const milliseconds = performance.now() - started;
    renders += 1;
    document.body.dataset.renders = String(renders);
    statusLine.innerHTML =
      `Backend <b>${choice.backend}</b>${backendNote} · ${escapeHtml(modelInfo)} · ` +
      `${SAMPLE_COUNT} samples at temperature ${temperature.toFixed(2)} in ${milliseconds.toFixed(0)} ms`;
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
      showError('Drawing the samples failed', messageOf(error));
    } finally {
      drawing = false;
    }
  }

  newSamplesButton.addEventListener('click', () => {
    seed = randomSeed();
    void requestRender();
  });
  temperatureInput.addEventListener('input', () => {
    temperatureValue.textContent = Number(temperatureInput.value).toFixed(2);
    void requestRender();
  });

  await requestRender();
  if (document.body.dataset.state === 'error') return;
  newSamplesButton.disabled = false;
  temperatureInput.disabled = false;
  setState('ready');
}

main().catch((error: unknown) => {
  showError('The demo failed to start', messageOf(error));
});
