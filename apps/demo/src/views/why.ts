/**
 * Why a VAE, and what beta does: three models of one recipe (784-128-2 on MNIST, 10 epochs, seed 1), side by side,
 * that differ only in their objective: a plain autoencoder (reconstruction alone), the VAE (reconstruction + KL,
 * beta = 1) and a beta-VAE (beta = 4). For each: the codes of 2000 test digits on its latent plane, the decodings
 * of a 12 x 12 grid over the same square (tiles over cells that hold no test code are marked: holes), the same
 * test digits reconstructed, the same eight N(0, I) draws decoded, and the numbers, computed in the page by
 * @vae/metrics on those 2000 digits: reconstruction error (`reconstructionError`), for the VAEs the test loss and
 * KL (`evaluateElbo`) and the spread of the posterior means (`latentHealth`). Pointing at (or moving with the
 * arrow keys over) a map or a grid decodes that point of that model.
 *
 * Hooks for tests on each `.why-panel`: `data-model`, `data-reconstruction` (nats per image), `data-loss` and
 * `data-kl` (VAEs, nats per image), `data-range` (half-width of the square), `data-empty` (grid cells without a
 * test code) and `data-probes` (points decoded under the pointer).
 */
import { DATA_FILES } from 'virtual:demo-data';
import * as tf from '@tensorflow/tfjs-core';
import { collectCodes, evaluateElbo, latentHealth, reconstructionError } from '@vae/metrics';
import { type AnyModel, VAE } from '@vae/models';
import { drawToCanvas, imageGrid, tensorToImageBatch } from '@vae/viz';
import { type Codes, DIGIT_PIXELS, DIGIT_SIDE, describeModel, getAnyModel } from '../assets';
import { loadMnistTest } from '../host-data';
import {
  arrowMove,
  coveringRange,
  drawRing,
  drawScatter,
  fromPixel,
  type MapFrame,
  toPixelX,
  toPixelY,
} from '../latent-map';
import { latestOnly } from '../latest-only';
import { element, escapeHtml, fitCanvas, paintGrey } from '../shared';
import { ELBO_SEED, WHY_EXAMPLES, WHY_MODELS } from '../why-models';
import type { View, ViewContext } from './context';

/** Tiles per side of the decoded grid. */
const STEPS = 12;
/** CSS pixels of a map's side. */
const MAP_SIZE = 264;
/** Test digits reconstructed, and prior draws decoded. */
const SHOWN = 8;
/** Seed of the prior draws: the same eight points for the three models. */
const PRIOR_SEED = 5;

interface Panel {
  key: string;
  model: AnyModel;
  root: HTMLElement;
  map: HTMLCanvasElement;
  grid: HTMLCanvasElement;
  probe: HTMLCanvasElement;
  probeText: HTMLOutputElement;
  codes: Codes;
  frame: MapFrame;
  /** Per grid cell (row-major, top row first): whether no test code falls in it. */
  empty: boolean[];
  scatter?: HTMLCanvasElement;
  gridLayer?: HTMLCanvasElement;
  point: [number, number];
}

/** The code of each input: the posterior mean for a VAE, h = f(x) for an autoencoder. */
function represent(model: AnyModel): (x: tf.Tensor) => tf.Tensor2D {
  return model instanceof VAE ? (x) => model.encode(x).mean : (x) => model.encode(x) as tf.Tensor2D;
}

/** Grid cell (row from the top, column) of a point of the square, or -1 outside it. */
function cellOf(frame: MapFrame, z0: number, z1: number): number {
  const column = Math.floor(((z0 + frame.range) / (2 * frame.range)) * STEPS);
  const row = Math.floor(((frame.range - z1) / (2 * frame.range)) * STEPS);
  return column < 0 || column >= STEPS || row < 0 || row >= STEPS ? -1 : row * STEPS + column;
}

export function createWhyView(context: ViewContext): View {
  const section = element<HTMLElement>('view-why');
  const panelsBox = element<HTMLDivElement>('why-panels');
  const originalsCanvas = element<HTMLCanvasElement>('why-originals');
  const summary = element<HTMLParagraphElement>('why-summary');
  const panels: Panel[] = [];
  let probeScratch: ReturnType<typeof paintGrey> | undefined;

  function panelElements(
    key: string,
    title: string,
    objective: string,
  ): Omit<Panel, 'model' | 'codes' | 'frame' | 'empty' | 'point'> {
    const root = document.createElement('div');
    root.className = 'why-panel';
    root.dataset.model = key;
    root.innerHTML = `
      <h3>${escapeHtml(title)}</h3>
      <p class="small">${escapeHtml(objective)}</p>
      <figure>
        <canvas class="why-map" tabindex="0" aria-label="${escapeHtml(title)}: the codes of 2000 test digits; point, or use the arrow keys, to decode a point"></canvas>
        <figcaption>Codes of 2000 test digits, by class</figcaption>
      </figure>
      <figure>
        <canvas class="why-grid" aria-label="${escapeHtml(title)}: decodings of a 12 × 12 grid over the same square"></canvas>
        <figcaption>The same square, decoded (red corner: no test digit's code in that cell, a hole)</figcaption>
      </figure>
      <div class="why-probe">
        <canvas width="84" height="84" aria-label="${escapeHtml(title)}: the decoded point"></canvas>
        <output></output>
      </div>
      <figure><canvas class="why-recon" aria-label="${escapeHtml(title)}: reconstructions of the test digits above"></canvas><figcaption>Reconstructions</figcaption></figure>
      <figure><canvas class="why-samples" aria-label="${escapeHtml(title)}: eight draws from N(0, I), decoded"></canvas><figcaption>The same 8 draws z ~ N(0, I), decoded</figcaption></figure>
      <dl class="why-numbers"></dl>`;
    panelsBox.append(root);
    return {
      key,
      root,
      map: root.querySelector<HTMLCanvasElement>('.why-map')!,
      grid: root.querySelector<HTMLCanvasElement>('.why-grid')!,
      probe: root.querySelector<HTMLCanvasElement>('.why-probe canvas')!,
      probeText: root.querySelector<HTMLOutputElement>('.why-probe output')!,
    };
  }

  /** The scatter layer of a panel's map (redrawn with the marker on top). */
  function drawMapLayer(panel: Panel): void {
    const ratio = fitCanvas(panel.map, MAP_SIZE, MAP_SIZE);
    const layer = panel.scatter ?? document.createElement('canvas');
    layer.width = panel.map.width;
    layer.height = panel.map.height;
    const g = layer.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawScatter(g, panel.frame, panel.codes, { opacity: 0.55 });
    panel.scatter = layer;
  }

  /** Decodes the grid's cell centres (linearly spaced over the square) with the model; marks the empty cells. */
  async function drawGridLayer(panel: Panel): Promise<void> {
    const { range } = panel.frame;
    const z = new Float32Array(STEPS * STEPS * 2);
    for (let row = 0; row < STEPS; row++) {
      for (let column = 0; column < STEPS; column++) {
        const offset = (row * STEPS + column) * 2;
        z[offset] = -range + ((column + 0.5) * 2 * range) / STEPS;
        z[offset + 1] = range - ((row + 0.5) * 2 * range) / STEPS;
      }
    }
    const decoded = tf.tidy(() => panel.model.decode(tf.tensor2d(z, [STEPS * STEPS, 2])));
    let batch: Awaited<ReturnType<typeof tensorToImageBatch>>;
    try {
      batch = await tensorToImageBatch(decoded);
    } finally {
      decoded.dispose();
    }
    const image = imageGrid(batch, { columns: STEPS, padding: 0 });
    const layer = document.createElement('canvas');
    drawToCanvas(layer, image);
    const g = layer.getContext('2d')!;
    g.fillStyle = '#e03131';
    for (let cell = 0; cell < STEPS * STEPS; cell++) {
      if (!panel.empty[cell]) continue;
      const left = (cell % STEPS) * DIGIT_SIDE;
      const top = Math.floor(cell / STEPS) * DIGIT_SIDE;
      g.beginPath();
      g.moveTo(left, top);
      g.lineTo(left + 7, top);
      g.lineTo(left, top + 7);
      g.fill();
    }
    panel.gridLayer = layer;
  }

  /** Map and grid with the marker at the panel's point, and the point decoded. */
  async function probe(panel: Panel): Promise<void> {
    const [z0, z1] = panel.point;
    const ratio = fitCanvas(panel.map, MAP_SIZE, MAP_SIZE);
    const g = panel.map.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    if (panel.scatter) g.drawImage(panel.scatter, 0, 0);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawRing(g, toPixelX(panel.frame, z0), toPixelY(panel.frame, z1), 7);
    if (panel.gridLayer) {
      panel.grid.width = panel.gridLayer.width;
      panel.grid.height = panel.gridLayer.height;
      const m = panel.grid.getContext('2d')!;
      m.drawImage(panel.gridLayer, 0, 0);
      const scale = panel.grid.width / MAP_SIZE;
      drawRing(m, toPixelX(panel.frame, z0) * scale, toPixelY(panel.frame, z1) * scale, 7);
    }
    const decoded = tf.tidy(() => panel.model.decode(tf.tensor2d([z0, z1], [1, 2])));
    const pixels = await decoded.data();
    decoded.dispose();
    probeScratch = paintGrey(panel.probe, pixels, DIGIT_SIDE, DIGIT_SIDE, probeScratch);
    const cell = cellOf(panel.frame, z0, z1);
    const where =
      cell >= 0 && panel.empty[cell] ? ' · in a hole: no test digit has its code in this cell' : '';
    panel.probeText.textContent = `z = (${z0.toFixed(2)}, ${z1.toFixed(2)}) decoded${where}`;
    panel.root.dataset.probes = String(Number(panel.root.dataset.probes ?? '0') + 1);
  }

  /** Decodes the latest point asked for, one decode at a time. */
  const prober = latestOnly(probe, (error) =>
    context.fail('Why a VAE: decoding failed', error instanceof Error ? error.message : String(error)),
  );
  const requestProbe = (panel: Panel) => prober.request(panel);

  function listen(panel: Panel, canvas: HTMLCanvasElement): void {
    const move = (event: PointerEvent) => {
      const box = canvas.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * MAP_SIZE;
      const y = ((event.clientY - box.top) / box.height) * MAP_SIZE;
      panel.point = fromPixel(panel.frame, x, y);
      requestProbe(panel);
    };
    canvas.addEventListener('pointermove', move);
    canvas.addEventListener('pointerdown', move);
  }

  function listenKeys(panel: Panel): void {
    panel.map.addEventListener('keydown', (event) => {
      // half a grid cell per press
      const move = arrowMove(event.key, panel.frame.range / STEPS);
      if (!move) return;
      event.preventDefault();
      const limit = panel.frame.range;
      panel.point = [
        Math.max(-limit, Math.min(limit, panel.point[0] + move[0])),
        Math.max(-limit, Math.min(limit, panel.point[1] + move[1])),
      ];
      requestProbe(panel);
    });
  }

  /** Decoded images of a [n, 784] tensor as one row, drawn on `canvas` (the tensor is disposed). */
  async function drawRow(canvas: HTMLCanvasElement, images: tf.Tensor): Promise<void> {
    try {
      const batch = await tensorToImageBatch(images);
      drawToCanvas(canvas, imageGrid(batch, { columns: SHOWN, padding: 2, background: 0.16 }));
    } finally {
      images.dispose();
    }
  }

  function number(term: string, value: string, help: string): string {
    return `<dt title="${escapeHtml(help)}">${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`;
  }

  return {
    async start() {
      const [models, data] = await Promise.all([
        Promise.all(WHY_MODELS.map((entry) => getAnyModel(entry.name))),
        loadMnistTest(DATA_FILES, location.href, WHY_EXAMPLES),
      ]);
      for (const [k, model] of models.entries()) {
        if (model.latentDim !== 2 || model.inputSize !== DIGIT_PIXELS || model.usesLabels) {
          throw new Error(
            `${WHY_MODELS[k].name} is a ${describeModel(model)}; this view needs a 2-D model of 28 × 28 digits.`,
          );
        }
      }
      const labels = Array.from(data.labels ?? []);
      const shownIndices = Array.from({ length: SHOWN }, (_, i) => i);
      await drawRow(
        originalsCanvas,
        tf.tidy(() => data.batch(shownIndices)),
      );

      const lines: string[] = [];
      for (const [k, entry] of WHY_MODELS.entries()) {
        const model = models[k];
        // the numbers, by @vae/metrics: codes, reconstruction error, and for the VAEs the ELBO's terms
        const matrix = await collectCodes(represent(model), data);
        const codes: Codes = {
          latentDim: 2,
          count: matrix.rows,
          labels,
          means: Array.from(matrix.values),
        };
        const frame = { size: MAP_SIZE, range: coveringRange(codes, 0.99) };
        const empty = new Array<boolean>(STEPS * STEPS).fill(true);
        for (let i = 0; i < codes.count; i++) {
          const cell = cellOf(frame, codes.means[2 * i], codes.means[2 * i + 1]);
          if (cell >= 0) empty[cell] = false;
        }
        const panel: Panel = {
          ...panelElements(entry.key, entry.title, entry.objective),
          model,
          codes,
          frame,
          empty,
          point: [0, 0],
        };
        panels.push(panel);
        const reconstruction = await reconstructionError((x) => model.reconstruct(x), data);
        const holes = empty.filter(Boolean).length;
        const root = panel.root;
        root.dataset.reconstruction = String(reconstruction.binaryCrossEntropyPerImage);
        root.dataset.range = String(frame.range);
        root.dataset.empty = String(holes);
        let html =
          number(
            'reconstruction',
            `${reconstruction.binaryCrossEntropyPerImage.toFixed(1)} nats`,
            'cross-entropy of the reconstruction from the code (the mean for the VAEs), per image',
          ) +
          number('codes span', `±${frame.range}`, 'half-width of the square holding 99 % of the codes') +
          number('empty cells', `${holes} of ${STEPS * STEPS}`, "grid cells holding no test digit's code");
        if (model instanceof VAE) {
          const elbo = await evaluateElbo(model, data, { seed: ELBO_SEED });
          const health = await latentHealth(model, data);
          root.dataset.loss = String(elbo.total);
          root.dataset.kl = String(elbo.kl);
          const spread = Array.from(health.posteriorMeanVariance, (v) => Math.sqrt(v).toFixed(2)).join(', ');
          html +=
            number(
              '−ELBO',
              `${elbo.total.toFixed(1)} nats`,
              'the test loss: reconstruction + KL, per image',
            ) +
            number('KL', `${elbo.kl.toFixed(2)} nats`, 'KL(q(z|x) ‖ N(0, I)), per image') +
            number('spread of μ', `(${spread})`, 'standard deviation of the posterior means over the digits');
          lines.push(
            `${entry.title}: KL ${elbo.kl.toFixed(2)} nats, reconstruction ${reconstruction.binaryCrossEntropyPerImage.toFixed(1)}`,
          );
        } else {
          lines.push(
            `autoencoder: reconstruction ${reconstruction.binaryCrossEntropyPerImage.toFixed(1)}, codes over ±${frame.range}`,
          );
        }
        root.querySelector('.why-numbers')!.innerHTML = html;

        drawMapLayer(panel);
        await drawGridLayer(panel);
        await drawRow(
          root.querySelector<HTMLCanvasElement>('.why-recon')!,
          tf.tidy(() => model.reconstruct(data.batch(shownIndices))),
        );
        // the same draws for every model: a VAE's sample() for the VAEs; the autoencoder has no prior, so the
        // same N(0, I) points are decoded wherever they fall on its plane
        await drawRow(
          root.querySelector<HTMLCanvasElement>('.why-samples')!,
          model instanceof VAE
            ? model.sample(SHOWN, { seed: PRIOR_SEED })
            : tf.tidy(() => model.decode(tf.randomNormal([SHOWN, 2], 0, 1, 'float32', PRIOR_SEED))),
        );
        listen(panel, panel.map);
        listen(panel, panel.grid);
        listenKeys(panel);
        await probe(panel);
      }
      summary.textContent = `Measured on the first ${data.size} test digits: ${lines.join('; ')}.`;
      context.setStatus('why', escapeHtml(WHY_MODELS.map((entry) => entry.name).join(', ')));
      section.dataset.measured = String(data.size);
    },
  };
}
