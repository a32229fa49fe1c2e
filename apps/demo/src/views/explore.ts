/**
 * Latent explorer: the 2-D latent space of a VAE with the test set's posterior means scattered by class, and the
 * decoded manifold over the same axes beside it. Moving the pointer over either decodes the point on every move
 * (one [1, d] tensor, tidied; moves arriving while a decode runs are coalesced into the latest), and a marker shows
 * the point on both, with the decoded image beside the marker. A switch picks the data set (MNIST digits or
 * Fashion-MNIST, `?data=fashion`), each with its own 2-D model and codes. Hooks on `#view-explore`: `data-dataset`
 * and `data-latent-dim`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { VAE } from '@vae/models';
import {
  type Codes,
  DIGIT_PIXELS,
  DIGIT_SIDE,
  describeModel,
  getCodes,
  getModel,
  isMapDataset,
  MAP_DATASETS,
  MAP_MODEL,
  type MapDataset,
} from '../assets';
import { arrowMove, drawRing, drawScatter, mapRange } from '../latent-map';
import { latestOnly } from '../latest-only';
import {
  ACCENT,
  bumpRenders,
  CLASS_COLOURS,
  element,
  escapeHtml,
  fitCanvas,
  paintGrey,
  updateUrl,
} from '../shared';
import type { View, ViewContext } from './context';

/** CSS pixels of the map and of the manifold. */
const SIZE = 420;
/** Tiles per side of the manifold (15 x 28 = 420 pixels, one model pixel per CSS pixel). */
const STEPS = 15;

type Point = [number, number];

export function createExploreView(context: ViewContext): View {
  const mapCanvas = element<HTMLCanvasElement>('explore-map');
  const manifoldCanvas = element<HTMLCanvasElement>('explore-manifold');
  const decodedCanvas = element<HTMLCanvasElement>('explore-decoded');
  const legend = element<HTMLDivElement>('explore-legend');
  const zOutput = element<HTMLOutputElement>('explore-z');
  const section = element<HTMLElement>('view-explore');
  const datasetButtons = [...section.querySelectorAll<HTMLButtonElement>('button[data-dataset]')];
  const requestedData = context.parameters.get('data') || 'mnist';
  let dataset: MapDataset = isMapDataset(requestedData) ? requestedData : 'mnist';

  let model: VAE;
  let codes: Codes | undefined;
  let range = 3;
  let point: Point = [0, 0];
  let highlighted: number | null = null;
  let scatterLayer: HTMLCanvasElement | undefined;
  let manifoldLayer: HTMLCanvasElement | undefined;
  let scratch: ReturnType<typeof paintGrey> | undefined;
  let decodeMilliseconds = 0;
  let zValues: Float32Array;
  let modelInfo = '';

  const toPixel = (z: number, size: number) => ((z + range) / (2 * range)) * size;
  const toLatent = (pixel: number, size: number) => (pixel / size) * 2 * range - range;

  /** The scatter plot with its grid, drawn once per highlight change. */
  function drawScatterLayer(): void {
    const ratio = fitCanvas(mapCanvas, SIZE, SIZE);
    const layer = scatterLayer ?? document.createElement('canvas');
    layer.width = mapCanvas.width;
    layer.height = mapCanvas.height;
    const g = layer.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawScatter(g, { size: SIZE, range }, codes, { highlighted });
    scatterLayer = layer;
  }

  /** The decoded manifold over the map's square: tile (r, c) decodes the centre of its cell. */
  async function drawManifoldLayer(): Promise<void> {
    const d = model.latentDim;
    const z = new Float32Array(STEPS * STEPS * d);
    for (let row = 0; row < STEPS; row++) {
      for (let column = 0; column < STEPS; column++) {
        const offset = (row * STEPS + column) * d;
        z[offset] = -range + ((column + 0.5) * 2 * range) / STEPS;
        z[offset + 1] = range - ((row + 0.5) * 2 * range) / STEPS;
      }
    }
    const images = tf.tidy(() => model.decode(tf.tensor2d(z, [STEPS * STEPS, d])));
    const pixels = await images.data();
    images.dispose();
    const side = STEPS * DIGIT_SIDE;
    const image = new ImageData(side, side);
    for (let tile = 0; tile < STEPS * STEPS; tile++) {
      const top = Math.floor(tile / STEPS) * DIGIT_SIDE;
      const left = (tile % STEPS) * DIGIT_SIDE;
      for (let y = 0; y < DIGIT_SIDE; y++) {
        for (let x = 0; x < DIGIT_SIDE; x++) {
          const grey = Math.round(pixels[tile * DIGIT_PIXELS + y * DIGIT_SIDE + x] * 255);
          const target = ((top + y) * side + left + x) * 4;
          image.data[target] = image.data[target + 1] = image.data[target + 2] = grey;
          image.data[target + 3] = 255;
        }
      }
    }
    const layer = document.createElement('canvas');
    layer.width = side;
    layer.height = side;
    layer.getContext('2d')!.putImageData(image, 0, 0);
    manifoldLayer = layer;
  }

  function drawMarker(g: CanvasRenderingContext2D, x: number, y: number, dark: boolean): void {
    g.save();
    g.setLineDash([4, 4]);
    g.lineWidth = 1;
    g.strokeStyle = dark ? 'rgb(255 255 255 / 45%)' : 'rgb(59 91 219 / 45%)';
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, SIZE);
    g.moveTo(0, y);
    g.lineTo(SIZE, y);
    g.stroke();
    g.setLineDash([]);
    drawRing(g, x, y, 8);
    g.restore();
  }

  /** Map and manifold with the marker; on the map, the decoded digit in a frame beside the marker. */
  function drawOverlays(): void {
    const ratio = fitCanvas(mapCanvas, SIZE, SIZE);
    const g = mapCanvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    if (scatterLayer) g.drawImage(scatterLayer, 0, 0);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const x = toPixel(point[0], SIZE);
    const y = SIZE - toPixel(point[1], SIZE);
    drawMarker(g, x, y, false);
    if (scratch) {
      const inset = 64;
      const left = x + 14 + inset > SIZE ? x - 14 - inset : x + 14;
      const top = Math.min(SIZE - inset - 4, Math.max(4, y - inset / 2));
      g.fillStyle = ACCENT;
      g.fillRect(left - 2, top - 2, inset + 4, inset + 4);
      g.imageSmoothingEnabled = false;
      g.drawImage(scratch.canvas, left, top, inset, inset);
    }

    const m = manifoldCanvas.getContext('2d')!;
    if (manifoldLayer) {
      manifoldCanvas.width = manifoldLayer.width;
      manifoldCanvas.height = manifoldLayer.height;
      m.drawImage(manifoldLayer, 0, 0);
    }
    const scale = manifoldCanvas.width / SIZE;
    m.setTransform(scale, 0, 0, scale, 0, 0);
    drawMarker(m, x, y, true);
    m.setTransform(1, 0, 0, 1, 0, 0);
  }

  async function decodeAndDraw(z: Point): Promise<void> {
    const started = performance.now();
    zValues[0] = z[0];
    zValues[1] = z[1];
    const image = tf.tidy(() => model.decode(tf.tensor2d(zValues, [1, model.latentDim])));
    let pixels: Float32Array | Int32Array | Uint8Array;
    try {
      pixels = await image.data();
    } finally {
      image.dispose();
    }
    scratch = paintGrey(decodedCanvas, pixels, DIGIT_SIDE, DIGIT_SIDE, scratch);
    decodeMilliseconds = performance.now() - started;
    decodedCanvas.dataset.z = `${z[0].toFixed(3)},${z[1].toFixed(3)}`;
    zOutput.textContent = `z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
    drawOverlays();
    bumpRenders(decodedCanvas);
    updateStatus();
  }

  /** Decodes the latest requested point; requests made meanwhile replace each other (never a queue). */
  const decoder = latestOnly(decodeAndDraw, (error) =>
    context.fail('Decoding failed', error instanceof Error ? error.message : String(error)),
  );

  function moveTo(z: Point, share = true): void {
    point = [Math.max(-range, Math.min(range, z[0])), Math.max(-range, Math.min(range, z[1]))];
    decoder.request(point);
    if (share) updateUrl({ z: `${point[0].toFixed(2)},${point[1].toFixed(2)}` });
  }

  function pointerToLatent(event: PointerEvent, canvas: HTMLCanvasElement): Point {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * SIZE;
    const y = ((event.clientY - box.top) / box.height) * SIZE;
    return [toLatent(x, SIZE), toLatent(SIZE - y, SIZE)];
  }

  function updateStatus(): void {
    const timing = decodeMilliseconds ? ` · one decode in ${decodeMilliseconds.toFixed(1)} ms` : '';
    const items = dataset === 'mnist' ? 'test digits' : 'test images';
    const points = codes
      ? ` · ${codes.count.toLocaleString('en-US')} ${items}`
      : ' · no codes.json: no scatter';
    context.setStatus('explore', `${escapeHtml(modelInfo)}${points}${timing}`);
  }

  function buildLegend(): void {
    legend.replaceChildren();
    if (!codes) return;
    const present = [...new Set(codes.labels)].sort((a, b) => a - b);
    for (const label of present) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'legend-item';
      button.dataset.label = String(label);
      button.setAttribute('aria-pressed', 'false');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = CLASS_COLOURS[label % CLASS_COLOURS.length];
      button.append(swatch, MAP_DATASETS[dataset].classes[label] ?? String(label));
      const setHighlight = (value: number | null) => {
        highlighted = value;
        for (const item of legend.querySelectorAll('button')) {
          item.setAttribute('aria-pressed', String(item.dataset.label === String(value)));
        }
        drawScatterLayer();
        drawOverlays();
      };
      let pinned = false;
      button.addEventListener('pointerenter', () => {
        if (!legend.querySelector('[data-pinned]')) setHighlight(label);
      });
      button.addEventListener('pointerleave', () => {
        if (!legend.querySelector('[data-pinned]')) setHighlight(null);
      });
      button.addEventListener('click', () => {
        for (const item of legend.querySelectorAll<HTMLElement>('[data-pinned]')) delete item.dataset.pinned;
        pinned = highlighted !== label || !pinned;
        if (pinned) button.dataset.pinned = '';
        setHighlight(pinned ? label : null);
      });
      legend.append(button);
    }
  }

  function listen(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointermove', (event) => moveTo(pointerToLatent(event, canvas)));
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      moveTo(pointerToLatent(event, canvas));
    });
    canvas.addEventListener('keydown', (event) => {
      const move = arrowMove(event.key, event.shiftKey ? 0.5 : 0.1);
      if (!move) return;
      event.preventDefault();
      moveTo([point[0] + move[0], point[1] + move[1]]);
    });
  }

  /** The map's model: `?model=` (or a model trained in the page) replaces the MNIST map, not the others. */
  function mapReference(): string {
    return dataset === 'mnist' ? context.model(MAP_MODEL) : MAP_DATASETS[dataset].model;
  }

  function showDataset(): void {
    section.dataset.dataset = dataset;
    for (const button of datasetButtons) {
      button.setAttribute('aria-pressed', String(button.dataset.dataset === dataset));
    }
  }

  let switching: Promise<void> = Promise.resolve();
  /** Loads the map of another data set, keeping the point; switches made meanwhile run after it, in order. */
  function switchDataset(next: MapDataset): void {
    if (next === dataset) return;
    dataset = next;
    showDataset();
    updateUrl({ data: next === 'mnist' ? null : next });
    switching = switching.then(async () => {
      section.dataset.ready = 'false';
      try {
        await load();
        moveTo(point, false);
        await settle();
      } catch (error) {
        context.fail(
          `Could not show the ${MAP_DATASETS[next].title} map`,
          error instanceof Error ? error.message : String(error),
          'Its model is made by <code>node apps/demo/scripts/prepare-model.mjs --all</code> (see the README).',
        );
      }
      section.dataset.ready = 'true';
    });
  }

  async function load(): Promise<void> {
    const reference = mapReference();
    const next = await getModel(reference);
    if (next.latentDim < 2) {
      throw new Error(`the latent map needs a latent size of at least 2; this model has ${next.latentDim}.`);
    }
    model = next;
    modelInfo = describeModel(model);
    codes = undefined;
    try {
      codes = await getCodes(reference);
    } catch (error) {
      console.warn(`no scatter: ${error instanceof Error ? error.message : error}`);
    }
    if (codes && codes.latentDim !== model.latentDim) codes = undefined;
    range = mapRange(codes);
    zValues = new Float32Array(model.latentDim);
    highlighted = null;
    section.dataset.latentDim = String(model.latentDim);
    element('explore-note').hidden = model.latentDim === 2;
    buildLegend();
    drawScatterLayer();
    await drawManifoldLayer();
  }

  /**
   * Where the map opens without `?z=`: the code of the first test image (a real digit, or garment), not
   * z = (0, 0), which sits between classes and decodes to a blur.
   */
  function firstCode(): Point {
    if (codes?.latentDim !== 2 || codes.count === 0) return [0, 0];
    return [Number(codes.means[0].toFixed(2)), Number(codes.means[1].toFixed(2))];
  }

  async function settle(): Promise<void> {
    await decoder.settled();
  }

  return {
    async start() {
      if (!isMapDataset(requestedData)) {
        throw new Error(
          `unknown data set "${requestedData}" in ?data=; use ${Object.keys(MAP_DATASETS)
            .map((name) => `?data=${name}`)
            .join(' or ')}.`,
        );
      }
      showDataset();
      for (const button of datasetButtons) {
        button.addEventListener('click', () => {
          const next = button.dataset.dataset ?? '';
          if (isMapDataset(next)) switchDataset(next);
        });
      }
      await load();
      listen(mapCanvas);
      listen(manifoldCanvas);
      const shared = context.parameters.get('z')?.split(',').map(Number);
      const start: Point =
        shared?.length === 2 && shared.every(Number.isFinite) ? [shared[0], shared[1]] : firstCode();
      moveTo(start, false);
      await settle();
    },
    async reload() {
      await switching;
      // another main model (`?model=`, or one trained in the page) is an MNIST map: show it
      if (dataset !== 'mnist' && context.model(MAP_MODEL) !== MAP_MODEL) {
        dataset = 'mnist';
        showDataset();
        updateUrl({ data: null });
      }
      await load();
      moveTo(point, false);
      await settle();
    },
  };
}
