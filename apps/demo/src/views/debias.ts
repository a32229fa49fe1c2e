/**
 * Debiasing: a classifier trained on biased data fails on the rare kind of positive; DB-VAE (Amini et al., AIES
 * 2019) finds the rare kinds from the density of its own latent space and shows them more often. The view draws
 * the four subgroups of `biasedShapes` (@vae/data), then, in a Web Worker (`train.worker.ts` -> `debias-run.ts`),
 * trains the same `DBVAE` (@vae/models) twice through `fit` at equal budget, without and with `debiasingSampler`,
 * and shows accuracy per subgroup of the balanced test set (`subgroupAccuracy` of @vae/metrics) and the training
 * images the resampling upweighted most (`upweightedExamples`). The settings are in the address (`?dseed=2`...).
 *
 * Hooks for tests on `#view-debias`: `data-debias-state` (idle, running, done, aborted, error), `data-steps`,
 * `data-worst-biased`, `data-worst-debiased`, `data-gap-biased`, `data-gap-debiased`, `data-rare-in-top`.
 */
import { BIASED_SHAPES_SUBGROUPS, biasedShapes } from '@vae/data';
import { drawToCanvas, imageGrid } from '@vae/viz';
import { isBackendName } from '../backends';
import type {
  DebiasConfig,
  DebiasVariant,
  FromDebiasWorker,
  ToDebiasWorker,
  UpweightedResult,
  VariantResult,
} from '../debias-messages';
import {
  DEBIAS_DATA,
  DEBIAS_DEFAULTS,
  DEBIAS_MODEL,
  DEBIAS_TRAINING,
  type DebiasSettings,
} from '../debias-setup';
import { settingsForm, workerBackendLine } from '../settings-form';
import { element } from '../shared';
import type { View, ViewContext } from './context';

type DebiasState = 'idle' | 'running' | 'done' | 'aborted' | 'error';

/** Example tiles drawn per subgroup. */
const EXAMPLES_PER_GROUP = 6;

/** The form's fields and the address's parameters (prefixed so as not to clash with other views'). */
const FIELDS = { seed: 'dseed', rareAttribute: 'drare', alpha: 'dalpha', epochs: 'depochs' } as const;

const percent = (value: number) => (Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : '–');

export function createDebiasView(context: ViewContext): View {
  const section = element<HTMLElement>('view-debias');
  const form = element<HTMLFormElement>('debias-form');
  const runButton = element<HTMLButtonElement>('debias-run');
  const stopButton = element<HTMLButtonElement>('debias-stop');
  const progressBar = element<HTMLProgressElement>('debias-progress');
  const log = element<HTMLParagraphElement>('debias-log');
  const groupsFigure = element<HTMLDivElement>('debias-groups');
  const table = element<HTMLTableSectionElement>('debias-results');
  const upweightedCanvas = element<HTMLCanvasElement>('debias-upweighted');
  const upweightedCaption = element<HTMLElement>('debias-upweighted-caption');
  const howMeasured = element<HTMLParagraphElement>('debias-method');
  const smallNote = element<HTMLParagraphElement>('debias-small-note');
  const fields = settingsForm(form, FIELDS);

  let worker: Worker | undefined;
  let settings: DebiasSettings = { ...DEBIAS_DEFAULTS };
  let groupNames: string[] = [];
  let results: Partial<Record<DebiasVariant, VariantResult>> = {};
  let stepsPerEpoch = 1;
  let backendLine = '';
  let drawnExamples = '';

  function setState(state: DebiasState): void {
    section.dataset.debiasState = state;
    const running = state === 'running';
    runButton.disabled = running;
    runButton.textContent = state === 'error' ? 'Try again' : results.debiased ? 'Run again' : 'Run';
    stopButton.disabled = !running;
    fields.disable(running);
  }

  function readSettings(): DebiasSettings {
    return {
      seed: Number(fields.select('seed').value),
      rareAttribute: fields.select('rareAttribute').value === 'small' ? 'small' : 'inverted',
      alpha: Number(fields.select('alpha').value),
      epochs: Number(fields.select('epochs').value),
    };
  }

  /** A few test images of each subgroup (the generator's own, seeded): what the classifier must tell apart. */
  function drawExamples(): void {
    const current = readSettings();
    smallNote.hidden = current.rareAttribute !== 'small';
    const key = `${current.seed}/${current.rareAttribute}`;
    if (key === drawnExamples) return;
    drawnExamples = key;
    const side = DEBIAS_DATA.imageSize;
    const area = side * side;
    // a small balanced test split: 4 x EXAMPLES_PER_GROUP images, a quarter per subgroup
    const sample = biasedShapes({
      trainSize: 4,
      testSize: 4 * EXAMPLES_PER_GROUP,
      imageSize: side,
      seed: current.seed,
      rareAttribute: current.rareAttribute,
    });
    const { test } = sample;
    const figures: HTMLElement[] = [];
    sample.groupNames.forEach((name, group) => {
      const pixels = new Float32Array(EXAMPLES_PER_GROUP * area);
      let count = 0;
      for (let i = 0; i < test.size && count < EXAMPLES_PER_GROUP; i++) {
        if (test.groups[i] !== group) continue;
        pixels.set(test.values.subarray(i * area, (i + 1) * area), count * area);
        count += 1;
      }
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${count} examples of ${name}`);
      drawToCanvas(
        canvas,
        imageGrid({ values: pixels, count, height: side, width: side }, { columns: count, background: 0.5 }),
        { scale: 2 },
      );
      const figure = document.createElement('figure');
      const caption = document.createElement('figcaption');
      caption.textContent = name;
      figure.append(canvas, caption);
      figures.push(figure);
    });
    groupsFigure.replaceChildren(...figures);
  }

  function describeMethod(): void {
    const side = DEBIAS_DATA.imageSize;
    const pixels = side * side;
    const positives = DEBIAS_DATA.trainSize / 2;
    howMeasured.textContent =
      `How this is measured: ${DEBIAS_DATA.trainSize.toLocaleString('en-US')} training images of ${side}×${side} ` +
      `pixels, half of them hearts, ${Math.round(positives * DEBIAS_DATA.rareFraction)} of the ${positives.toLocaleString('en-US')} ` +
      `hearts in the rare subgroup (${100 * DEBIAS_DATA.rareFraction} %); a balanced test set of ` +
      `${DEBIAS_DATA.testSize} images, ${DEBIAS_DATA.testSize / 4} per subgroup, drawn from the same seed. ` +
      `The same DB-VAE (${pixels}-${DEBIAS_MODEL.hiddenUnits.join('-')}-${DEBIAS_MODEL.latentDim}, its encoder also ` +
      `giving one logit; classification term weighted ${DEBIAS_MODEL.classifierWeight}) is trained twice from the same ` +
      `initial weights, for the same epochs of batch ${DEBIAS_TRAINING.batchSize} (Adam ${DEBIAS_TRAINING.learningRate}): ` +
      "first with a plain shuffle, then with every epoch's hearts redrawn with probability inversely proportional to " +
      `their density in the latent space (per-dimension histograms of ${DEBIAS_TRAINING.bins} bins, smoothing α). ` +
      'A test image counts as a heart when the classifier gives it a probability of at least 0.5. One run, one seed: ' +
      'other seeds give other numbers (the README reports the spread of the full-size experiment).';
  }

  function clearResults(): void {
    results = {};
    table.replaceChildren();
    upweightedCanvas.hidden = true;
    upweightedCaption.textContent = 'Run the experiment to see them.';
    for (const key of ['worstBiased', 'worstDebiased', 'gapBiased', 'gapDebiased', 'rareInTop', 'steps']) {
      delete section.dataset[key];
    }
  }

  /** The results table: one row per subgroup, then the worst group, the gap and overall accuracy. */
  function renderTable(): void {
    const { biased, debiased } = results;
    const rows: string[][] = groupNames.map((name, g) => [
      name,
      String(biased?.groups[g].count ?? debiased?.groups[g].count ?? ''),
      percent(biased?.groups[g].accuracy ?? Number.NaN),
      percent(debiased?.groups[g].accuracy ?? Number.NaN),
    ]);
    const worst = (result?: VariantResult) =>
      result ? `${percent(result.worstAccuracy)} (${groupNames[result.worstGroup]})` : '–';
    const points = (result?: VariantResult) => (result ? `${(100 * result.gap).toFixed(1)} points` : '–');
    rows.push(['worst group', '', worst(biased), worst(debiased)]);
    rows.push(['gap (best − worst)', '', points(biased), points(debiased)]);
    rows.push([
      'all test images',
      String(DEBIAS_DATA.testSize),
      percent(biased?.overall ?? Number.NaN),
      percent(debiased?.overall ?? Number.NaN),
    ]);
    const body = rows.map((cells, r) => {
      const row = document.createElement('tr');
      if (r >= groupNames.length) row.className = 'summary';
      cells.forEach((text, c) => {
        const cell = document.createElement(c === 0 ? 'th' : 'td');
        if (c === 0) cell.setAttribute('scope', 'row');
        cell.textContent = text;
        row.append(cell);
      });
      return row;
    });
    table.replaceChildren(...body);
  }

  function showResult(result: VariantResult): void {
    results[result.variant] = result;
    const suffix = result.variant === 'biased' ? 'Biased' : 'Debiased';
    section.dataset[`worst${suffix}`] = String(result.worstAccuracy);
    section.dataset[`gap${suffix}`] = String(result.gap);
    renderTable();
  }

  function showUpweighted(upweighted: UpweightedResult): void {
    const { pixels, count, side, rareInTop } = upweighted;
    drawToCanvas(
      upweightedCanvas,
      imageGrid({ values: pixels, count, height: side, width: side }, { columns: 8, background: 0.5 }),
      { scale: 3 },
    );
    upweightedCanvas.hidden = false;
    const rareName = groupNames[BIASED_SHAPES_SUBGROUPS.positiveRare] ?? 'the rare subgroup';
    upweightedCanvas.setAttribute(
      'aria-label',
      `The ${count} training hearts the debiasing drew most often in its last epoch; ${rareInTop} of them are ${rareName}.`,
    );
    upweightedCaption.textContent =
      `The ${count} training hearts the resampling weighted most in its last epoch, most first ` +
      `(the first ${upweighted.maxRatio.toFixed(1)}× the mean weight): ${rareInTop} of ${count} are ${rareName}. ` +
      `That subgroup is ${percent(upweighted.rareExampleShare)} of the training hearts and got ` +
      `${percent(upweighted.rareWeightShare)} of the sampling weight. The model was never told which they are.`;
    section.dataset.rareInTop = String(rareInTop);
  }

  function phaseName(variant: DebiasVariant): string {
    return variant === 'biased' ? 'training 1 of 2, without debiasing' : 'training 2 of 2, with debiasing';
  }

  function onMessage(message: FromDebiasWorker): void {
    switch (message.type) {
      case 'debias-status':
        log.textContent = backendLine ? `${backendLine} ${message.text}` : message.text;
        break;
      case 'debias-ready':
        groupNames = message.groupNames;
        stepsPerEpoch = message.stepsPerEpoch;
        progressBar.max = 2 * stepsPerEpoch * settings.epochs;
        backendLine =
          `${workerBackendLine(message.backend, message.failures)}: ${message.trainSize.toLocaleString('en-US')} training images (${message.positives.toLocaleString('en-US')} ` +
          `hearts, ${message.rarePositives} of them rare), ${message.parameters.toLocaleString('en-US')} parameters.`;
        section.dataset.workerBackend = message.backend;
        log.textContent = backendLine;
        renderTable();
        break;
      case 'debias-step': {
        const done = (message.variant === 'debiased' ? stepsPerEpoch * settings.epochs : 0) + message.step;
        progressBar.value = done;
        section.dataset.steps = String(done);
        log.textContent =
          `${backendLine} ${phaseName(message.variant)}: epoch ${message.epoch} of ${settings.epochs}, ` +
          `step ${message.step}; classification term ${message.classifier.toFixed(2)}.`;
        break;
      }
      case 'debias-epoch':
        if (message.rareWeightShare !== undefined) {
          log.textContent =
            `${backendLine} ${phaseName(message.variant)}: epoch ${message.epoch} done; the rare hearts held ` +
            `${percent(message.rareWeightShare)} of that epoch's sampling weight.`;
        }
        break;
      case 'debias-result':
        showResult(message.result);
        break;
      case 'debias-upweighted':
        showUpweighted(message.upweighted);
        break;
      case 'debias-done': {
        setState(message.aborted ? 'aborted' : 'done');
        const { biased, debiased } = results;
        log.textContent = message.aborted
          ? `${backendLine} Stopped. Press Run to start again.`
          : `${backendLine} Done in ${message.seconds.toFixed(1)} s: worst-group accuracy ` +
            `${percent(biased?.worstAccuracy ?? Number.NaN)} without debiasing, ` +
            `${percent(debiased?.worstAccuracy ?? Number.NaN)} with it.`;
        context.setStatus('debias', `DB-VAE trained twice in the worker (${message.seconds.toFixed(1)} s).`);
        break;
      }
      case 'debias-error':
        fail(message.message);
        break;
    }
  }

  /** The run stopped on an error: say so in the view (the other views are unaffected); Run becomes Try again. */
  function fail(message: string): void {
    console.warn(`debiasing failed: ${message}`);
    // a fresh worker for the next try (one whose module failed to load would fail the same way again)
    worker?.terminate();
    worker = undefined;
    setState('error');
    log.textContent = `The debiasing run failed: ${message}. Press Try again to run it again.`;
  }

  function start(): void {
    if (!worker) {
      worker = new Worker(new URL('../train.worker.ts', import.meta.url), {
        type: 'module',
        name: 'vae-debias',
      });
      worker.addEventListener('message', (event: MessageEvent<FromDebiasWorker>) => onMessage(event.data));
      worker.addEventListener('error', (event) => {
        // a worker that failed to load or crashed is dropped (in fail): the next run starts a fresh one
        fail(`the worker stopped (${event.message || 'see the browser console'})`);
      });
    }
    settings = readSettings();
    clearResults();
    backendLine = '';
    progressBar.value = 0;
    setState('running');
    log.textContent = 'Starting the worker…';
    const backend = context.backend.backend;
    const config: DebiasConfig = { ...settings, backend: isBackendName(backend) ? backend : undefined };
    const message: ToDebiasWorker = { type: 'debias-start', config };
    worker.postMessage(message);
  }

  return {
    async start() {
      fields.restore(context.parameters);
      describeMethod();
      drawExamples();
      clearResults();
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        start();
      });
      form.addEventListener('change', () => {
        fields.share(readSettings(), DEBIAS_DEFAULTS);
        drawExamples();
      });
      stopButton.addEventListener('click', () => {
        const message: ToDebiasWorker = { type: 'debias-abort' };
        worker?.postMessage(message);
      });
      setState('idle');
      context.setStatus(
        'debias',
        'press Run: two short trainings in a Web Worker, about half a minute in all.',
      );
    },
  };
}
