/**
 * Disentangle: a disentangling VAE (`dsprites-beta-vae`: see apps/demo/scripts/prepare-model.mjs for its recipe)
 * and a plain VAE of the same recipe but its beta, both with 10 latent numbers, trained on the procedural dSprites
 * (64 x 64 binary sprites: shape, scale, rotation, x and y position), side by side. Each model has one slider per
 * latent number (-3..3), sorted by how much that number is used: its KL to the prior, averaged over 400 sprites
 * rendered in the page (numbers under 0.1 nats carry almost nothing and are marked unused). Every slider move
 * decodes the code, and each row's strip decodes its number from -3 to 3 with the others held where they are, so a
 * glance shows what each number does. What each number follows is measured, not assumed: on 2000 held-out sprites
 * (factors drawn afresh by @vae/metrics, seeded), `sapScore` gives the squared correlation r² of each number with
 * each factor, and a row is named after x position, y position or scale when its r² with it is at least 0.5 and
 * twice its r² with either other ("mixed" otherwise); `mutualInformationGap` gives each model's MIG and its
 * per-factor gaps, shown in the model's line with the largest r² per factor. A sprite (`?s=<index>`, or a random
 * one) is encoded by both models and sets their sliders.
 *
 * Decoding per model: one [1 + 7d, d] batch, tidied; moves arriving meanwhile are coalesced into the latest.
 * Hooks: `#dis-<beta|plain>-decoded` counts `data-renders` and carries `data-z`; `#view-disentangle` carries
 * `data-kl-beta`, `data-kl-plain` (per-number KL, comma separated, in latent order) and `data-active-beta`,
 * `data-active-plain` (numbers over 0.1 nats), `data-mig-beta` and `data-mig-plain`; each row carries
 * `data-dimension` and `data-follows` (posX, posY, scale, mixed or unused).
 */
import * as tf from '@tensorflow/tfjs-core';
import { klDivergenceStandardNormalPerDimension } from '@vae/core';
import {
  DSPRITES_FACTOR_NAMES,
  DSPRITES_IMAGE_SIZE,
  DSPRITES_SHAPE_NAMES,
  DSPRITES_SIZE,
  DSprites,
} from '@vae/data';
import { type Matrix, mutualInformationGap, sapScore } from '@vae/metrics';
import type { VAE } from '@vae/models';
import { describeModel, getModel, SPRITES_BETA_MODEL, SPRITES_VAE_MODEL } from '../assets';
import { bumpRenders, element, escapeHtml, paintGrey, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

const SIDE = DSPRITES_IMAGE_SIZE;
const PIXELS = SIDE * SIDE;
/** Sprites encoded to measure each number's KL and what it follows. */
const PROBE_COUNT = 400;
/** A number whose average KL is below this (nats) carries almost no information. */
const ACTIVE_KL = 0.1;
/** Values of a strip: -3, -2, ..., 3. */
const STRIP_VALUES = [-3, -2, -1, 0, 1, 2, 3];
const STRIP_TILE = 24;
const LIMIT = 3;
/**
 * Sprites (factors drawn uniformly by @vae/metrics, seeded) the scores are measured on: the same as
 * bench/dsprites-recipe.mjs's, whose numbers the README quotes.
 */
const SCORE_POINTS = 2000;
const SCORE_SEED = 100;
/** Short names of the five factors, for the MIG's per-factor gaps. */
const FACTOR_TITLES: Record<(typeof DSPRITES_FACTOR_NAMES)[number], string> = {
  shape: 'shape',
  scale: 'scale',
  orientation: 'rotation',
  posX: 'x',
  posY: 'y',
};
/** The factors a row can be named after: the ordinal ones (shape is a category, rotation a circle). */
const NAMED_FACTORS = (['posX', 'posY', 'scale'] as const).map((key) => ({
  key,
  name: key === 'scale' ? 'scale' : `${key === 'posX' ? 'x' : 'y'} position`,
  k: DSPRITES_FACTOR_NAMES.indexOf(key),
}));
/**
 * A number follows a factor when its r² with it is at least this and at least twice its r² with either other
 * named factor; otherwise it is a mix.
 */
const FOLLOWS_R2 = 0.5;

/** What latent number `j` follows, read from SAP's squared correlations `scores` [numbers, factors]. */
function followed(scores: Matrix, j: number) {
  const r2 = NAMED_FACTORS.map(({ k }) => scores.values[j * scores.columns + k]);
  const order = r2.map((_, f) => f).sort((a, b) => r2[b] - r2[a]);
  const all = NAMED_FACTORS.map(({ name }, f) => `${name} ${r2[f].toFixed(2)}`).join(', ');
  const mix =
    NAMED_FACTORS.filter((_, f) => r2[f] >= 0.1)
      .map(({ name }) => `${name} ${r2[NAMED_FACTORS.findIndex((n) => n.name === name)].toFixed(2)}`)
      .join(', ') || 'none over 0.10';
  const [best, second] = order;
  const factor = r2[best] >= FOLLOWS_R2 && r2[best] >= 2 * r2[second] ? NAMED_FACTORS[best] : undefined;
  return { factor, r2: r2[best], mix, all };
}

/** The sprite shown first: a heart of scale 0.8, turned a little, left of centre and low. */
const DEFAULT_SPRITE = new DSprites().indexOf([2, 3, 4, 10, 22]);

type Side = 'beta' | 'plain';

interface Panel {
  side: Side;
  model: VAE;
  /** The code the sliders hold. */
  z: Float32Array;
  /** Per-number KL to the prior, averaged over the probe sprites. */
  kl: Float32Array;
  /** Latent numbers, most used first. */
  order: number[];
  sliders: HTMLInputElement[];
  outputs: HTMLOutputElement[];
  strips: HTMLCanvasElement[];
  decoded: HTMLCanvasElement;
  wanted: boolean;
  busy: boolean;
  scratch?: ReturnType<typeof paintGrey>;
}

export function createDisentangleView(context: ViewContext): View {
  const section = element<HTMLElement>('view-disentangle');
  const inputCanvas = element<HTMLCanvasElement>('dis-input');
  const inputCaption = element<HTMLElement>('dis-input-caption');
  const sprites = new DSprites();
  const panels = new Map<Side, Panel>();
  let inputScratch: ReturnType<typeof paintGrey> | undefined;
  /** One strip tile at full size, drawn scaled into the strips. */
  const tileCanvas = document.createElement('canvas');
  tileCanvas.width = SIDE;
  tileCanvas.height = SIDE;
  let tileScratch: ReturnType<typeof paintGrey> | undefined;
  let spriteIndex = DEFAULT_SPRITE;

  function describeSprite(index: number): string {
    const [shape, scale, orientation, posX, posY] = sprites.factorsOf([index])[0];
    const values = sprites.latentValues([shape, scale, orientation, posX, posY]);
    return (
      `${DSPRITES_SHAPE_NAMES[shape]}, scale ${values[2].toFixed(1)}, turned ${Math.round((values[3] * 180) / Math.PI)}°, ` +
      `x ${values[4].toFixed(2)}, y ${values[5].toFixed(2)}`
    );
  }

  /**
   * The probe: per-number KL of each model over the probe sprites, and the scores of @vae/metrics on
   * `SCORE_POINTS` sprites with factors drawn afresh (held out: the models trained on other ones): the mutual
   * information gap and SAP's squared correlations r² of each number with each factor, which name the rows.
   */
  async function probe(model: VAE, images: tf.Tensor2D) {
    const result = tf.tidy(() => {
      const { mean, logVar } = model.encode(images);
      // KL(N(mean, exp(logVar)) || N(0, 1)) per number, averaged over the sprites (core's per-dimension KL)
      return klDivergenceStandardNormalPerDimension(mean, logVar, { reduction: 'mean' });
    });
    const kl = Float32Array.from(await result.data());
    result.dispose();
    const represent = (x: tf.Tensor) => tf.tidy(() => model.encode(x).mean);
    const options = { points: SCORE_POINTS, seed: SCORE_SEED };
    const mig = await mutualInformationGap(sprites, represent, options);
    const sap = await sapScore(sprites, represent, options);
    const rows = Array.from({ length: model.latentDim }, (_, j) => followed(sap.scores, j));
    return { kl, mig, r2: sap.scores, rows };
  }

  /** The sliders of one model; `maxKl` scales the KL bars (the same for both models, so they compare). */
  function buildPanel(
    side: Side,
    model: VAE,
    measured: Awaited<ReturnType<typeof probe>>,
    maxKl: number,
  ): Panel {
    const d = model.latentDim;
    const order = Array.from({ length: d }, (_, j) => j).sort((a, b) => measured.kl[b] - measured.kl[a]);
    const list = element<HTMLDivElement>(`dis-${side}-sliders`);
    list.replaceChildren();
    const panel: Panel = {
      side,
      model,
      z: new Float32Array(d),
      kl: measured.kl,
      order,
      sliders: [],
      outputs: [],
      strips: [],
      decoded: element<HTMLCanvasElement>(`dis-${side}-decoded`),
      wanted: false,
      busy: false,
    };
    for (const j of order) {
      const kl = measured.kl[j];
      const active = kl >= ACTIVE_KL;
      const row = document.createElement('div');
      row.className = active ? 'dis-row' : 'dis-row inactive';
      row.dataset.dimension = String(j);
      const id = `dis-${side}-z${j}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = `z${j + 1}`;
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.id = id;
      slider.min = String(-LIMIT);
      slider.max = String(LIMIT);
      slider.step = '0.05';
      slider.value = '0';
      const output = document.createElement('output');
      output.htmlFor.add(id);
      output.textContent = '0.00';
      const klCell = document.createElement('span');
      klCell.className = 'dis-kl';
      const bar = document.createElement('span');
      bar.className = 'dis-kl-bar';
      bar.style.width = `${Math.max(1, (28 * kl) / maxKl)}px`;
      const reading = measured.rows[j];
      const what = active
        ? reading.factor
          ? `follows ${reading.factor.name} (r² = ${reading.r2.toFixed(2)})`
          : `a mix of factors (r²: ${reading.mix})`
        : 'unused: decodes the same at any value';
      row.dataset.follows = active ? (reading.factor?.key ?? 'mixed') : 'unused';
      klCell.title = `KL ${kl.toFixed(2)} nats on average over ${PROBE_COUNT} sprites; ${what}`;
      klCell.append(bar, `${kl.toFixed(2)}`);
      const strip = document.createElement('canvas');
      strip.className = 'dis-strip';
      strip.id = `dis-${side}-strip-z${j}`;
      strip.width = STRIP_VALUES.length * STRIP_TILE;
      strip.height = STRIP_TILE;
      strip.setAttribute('aria-label', `z${j + 1} from -3 to 3, the other numbers held`);
      const note = document.createElement('span');
      note.className = 'dis-follows';
      note.textContent = active
        ? reading.factor
          ? `${reading.factor.name} ${reading.r2.toFixed(2)}`
          : 'mixed'
        : 'unused';
      note.title = `r² of this number with ${NAMED_FACTORS.map(({ name }) => name).join(', ')}: ${reading.all}`;
      row.append(label, slider, output, klCell, strip, note);
      list.append(row);
      slider.addEventListener('input', () => {
        panel.z[j] = Number(slider.value);
        output.textContent = panel.z[j].toFixed(2);
        request(panel);
      });
      panel.sliders[j] = slider;
      panel.outputs[j] = output;
      panel.strips[j] = strip;
    }
    section.dataset[`kl${side === 'beta' ? 'Beta' : 'Plain'}`] = Array.from(measured.kl, (v) =>
      v.toFixed(3),
    ).join(',');
    section.dataset[`active${side === 'beta' ? 'Beta' : 'Plain'}`] = String(
      measured.kl.filter((v) => v >= ACTIVE_KL).length,
    );
    const key = side === 'beta' ? 'Beta' : 'Plain';
    section.dataset[`mig${key}`] = measured.mig.score.toFixed(4);
    const total = measured.kl.reduce((sum, v) => sum + v, 0);
    // for each named factor, the largest r² of one number: near 1 when a single number carries the factor
    const alignment = NAMED_FACTORS.map(({ name, k }) => {
      let best = 0;
      for (let j = 0; j < d; j++) best = Math.max(best, measured.r2.values[j * measured.r2.columns + k]);
      return `${name} ${best.toFixed(2)}`;
    }).join(', ');
    const gaps = DSPRITES_FACTOR_NAMES.map(
      (name, k) => `${FACTOR_TITLES[name]} ${measured.mig.gaps[k].toFixed(2)}`,
    ).join(', ');
    element(`dis-${side}-info`).textContent =
      `${describeModel(model)}, β = ${model.config.beta} · ${measured.kl.filter((v) => v >= ACTIVE_KL).length} ` +
      `of ${d} numbers used · KL ${total.toFixed(1)} nats per sprite · MIG ${measured.mig.score.toFixed(2)} ` +
      `(per factor: ${gaps}) · how well one number alone follows each factor (largest r²): ${alignment}`;
    return panel;
  }

  /** Decodes the panel's code and its strips, and draws them. */
  async function decode(panel: Panel): Promise<void> {
    const d = panel.model.latentDim;
    const rows = 1 + d * STRIP_VALUES.length;
    const z = new Float32Array(rows * d);
    z.set(panel.z, 0);
    for (let j = 0; j < d; j++) {
      STRIP_VALUES.forEach((value, k) => {
        const offset = (1 + j * STRIP_VALUES.length + k) * d;
        z.set(panel.z, offset);
        z[offset + j] = value;
      });
    }
    const images = tf.tidy(() => panel.model.decode(tf.tensor2d(z, [rows, d])));
    let pixels: Float32Array | Int32Array | Uint8Array;
    try {
      pixels = await images.data();
    } finally {
      images.dispose();
    }
    panel.scratch = paintGrey(panel.decoded, pixels.subarray(0, PIXELS), SIDE, SIDE, panel.scratch);
    for (let j = 0; j < d; j++) {
      const g = panel.strips[j].getContext('2d')!;
      g.imageSmoothingEnabled = true;
      for (let k = 0; k < STRIP_VALUES.length; k++) {
        const start = (1 + j * STRIP_VALUES.length + k) * PIXELS;
        tileScratch = paintGrey(tileCanvas, pixels.subarray(start, start + PIXELS), SIDE, SIDE, tileScratch);
        g.drawImage(tileCanvas, k * STRIP_TILE, 0, STRIP_TILE, STRIP_TILE);
      }
    }
    panel.decoded.dataset.z = Array.from(panel.z, (v) => v.toFixed(2)).join(',');
    bumpRenders(panel.decoded);
  }

  /** Decodes the latest code of a panel; moves made while a decode runs give one more decode, not a queue. */
  async function pump(panel: Panel): Promise<void> {
    if (panel.busy) return;
    panel.busy = true;
    try {
      while (panel.wanted) {
        panel.wanted = false;
        await decode(panel);
      }
    } catch (error) {
      context.fail('Decoding the sprite failed', error instanceof Error ? error.message : String(error));
    } finally {
      panel.busy = false;
    }
  }

  function request(panel: Panel): void {
    panel.wanted = true;
    void pump(panel);
  }

  function setCode(panel: Panel, code: ArrayLike<number>): void {
    for (let j = 0; j < panel.z.length; j++) {
      const value = Math.max(-LIMIT, Math.min(LIMIT, Math.round(code[j] * 20) / 20));
      panel.z[j] = value;
      panel.sliders[j].value = String(value);
      panel.outputs[j].textContent = value.toFixed(2);
    }
    request(panel);
  }

  /** Shows a sprite and sets both models' sliders to its code (the posterior mean). */
  async function useSprite(index: number, share = true): Promise<void> {
    spriteIndex = index;
    const pixels = sprites.batchValues([index]);
    inputScratch = paintGrey(inputCanvas, pixels, SIDE, SIDE, inputScratch);
    inputCaption.textContent = describeSprite(index);
    inputCanvas.dataset.sprite = String(index);
    const codes = tf.tidy(() => {
      const x = tf.tensor2d(pixels, [1, PIXELS]);
      return [...panels.values()].map((panel) => panel.model.encode(x).mean);
    });
    const values = await Promise.all(codes.map((code) => code.data()));
    tf.dispose(codes);
    [...panels.values()].forEach((panel, i) => {
      setCode(panel, values[i]);
    });
    if (share) updateUrl({ s: String(index) });
  }

  async function settle(): Promise<void> {
    const pending = () => [...panels.values()].some((panel) => panel.busy || panel.wanted);
    while (pending()) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return {
    async start() {
      const shared = context.parameters.get('s');
      if (shared !== null) {
        const index = Number(shared);
        if (!Number.isInteger(index) || index < 0 || index >= DSPRITES_SIZE) {
          throw new Error(
            `?s=${shared} is not a dSprites image index; use a whole number from 0 to ${DSPRITES_SIZE - 1}.`,
          );
        }
        spriteIndex = index;
      }
      const models = await Promise.all([getModel(SPRITES_BETA_MODEL), getModel(SPRITES_VAE_MODEL)]);
      for (const [name, model] of [
        [SPRITES_BETA_MODEL, models[0]],
        [SPRITES_VAE_MODEL, models[1]],
      ] as const) {
        if (model.inputSize !== PIXELS) {
          throw new Error(
            `${name} takes ${model.inputSize} values per image, not dSprites' ${SIDE} x ${SIDE}; ` +
              'make it with `node apps/demo/scripts/prepare-model.mjs --all`.',
          );
        }
      }
      const indices = sprites.sampleIndices(PROBE_COUNT, 2024);
      const images = tf.tensor2d(sprites.batchValues(indices), [PROBE_COUNT, PIXELS]);
      let measured: Array<Awaited<ReturnType<typeof probe>>>;
      try {
        measured = await Promise.all(models.map((model) => probe(model, images)));
      } finally {
        images.dispose();
      }
      const maxKl = Math.max(1, ...measured[0].kl, ...measured[1].kl);
      panels.set('beta', buildPanel('beta', models[0], measured[0], maxKl));
      panels.set('plain', buildPanel('plain', models[1], measured[1], maxKl));
      context.setStatus(
        'disentangle',
        escapeHtml(
          `dSprites (${DSPRITES_FACTOR_NAMES.join(', ')}), ${PROBE_COUNT} sprites probed · ` +
            `β-VAE: ${section.dataset.activeBeta} numbers used, plain VAE: ${section.dataset.activePlain} · ` +
            `MIG on ${SCORE_POINTS} held-out sprites: β-VAE ${measured[0].mig.score.toFixed(2)}, ` +
            `plain VAE ${measured[1].mig.score.toFixed(2)}`,
        ),
      );
      element('dis-random').addEventListener('click', () => {
        void useSprite(Math.floor(Math.random() * DSPRITES_SIZE)).catch((error) =>
          context.fail('Encoding the sprite failed', error instanceof Error ? error.message : String(error)),
        );
      });
      element('dis-zero').addEventListener('click', () => {
        for (const panel of panels.values()) setCode(panel, new Float32Array(panel.z.length));
      });
      await useSprite(spriteIndex, false);
      await settle();
    },
  };
}
