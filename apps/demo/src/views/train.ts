/**
 * Train live: the visitor picks the latent size, beta (with an optional warm-up), epochs and the number of
 * images; a Web Worker trains on the MNIST test set served by the site, and the page draws the loss curves
 * (reconstruction and KL, every step) and decoded samples as they improve. Pause, resume, abort; then export the
 * model (model.json + weights.bin, loadable with `loadModel(url)` or `?model=`) or open it in the
 * other views.
 *
 * Hooks for tests on `#view-train`: `data-train-state` (idle, starting, running, paused, done, aborted, error),
 * `data-steps`, `data-first-loss` and `data-last-loss` (reconstruction + KL of the first and latest step),
 * `data-replicas` (the replicas training: the Workers control, `?workers=`, through nested Web Workers).
 */

import { DATA_FILES } from 'virtual:demo-data';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, VAE } from '@vae/models';
import { MODEL_DESCRIPTIONS } from '@vae/models/options';
import { drawToCanvas, imageGrid } from '@vae/viz';
import { addMemoryModel, DIGIT_SIDE, describeModel, setMemoryCodes } from '../assets';
import { isBackendName } from '../backends';
import { LiveChart } from '../live-chart';
import { element, updateUrl } from '../shared';
import { modelControls } from '../train-controls';
import type {
  EpochSummary,
  ExportedModel,
  FromWorker,
  StepRecord,
  ToWorker,
  TrainConfig,
} from '../train-messages';
import type { View, ViewContext } from './context';

type TrainState = 'idle' | 'starting' | 'running' | 'paused' | 'done' | 'aborted' | 'error';

/** The replicas control's initial value (see the demo README's measurement). */
const REPLICAS_DEFAULT = 1;

/** Training images whose codes come with an exported 2-D model, for its latent map. */
const EXPORT_CODES = 2000;

export function createTrainView(context: ViewContext): View {
  const section = element<HTMLElement>('view-train');
  const form = element<HTMLFormElement>('train-form');
  const startButton = element<HTMLButtonElement>('train-start');
  const pauseButton = element<HTMLButtonElement>('train-pause');
  const abortButton = element<HTMLButtonElement>('train-abort');
  const exportButton = element<HTMLButtonElement>('train-export');
  const useButton = element<HTMLButtonElement>('train-use');
  const downloads = element<HTMLDivElement>('train-downloads');
  const progressBar = element<HTMLProgressElement>('train-progress');
  const log = element<HTMLParagraphElement>('train-log');
  const reconstructionChart = element<HTMLDivElement>('train-chart-reconstruction');
  const klChart = element<HTMLDivElement>('train-chart-kl');
  const previewCanvas = element<HTMLCanvasElement>('train-preview');
  const epochTable = element<HTMLTableSectionElement>('train-epochs');

  let worker: Worker | undefined;
  let steps: StepRecord[] = [];
  let stepsPerEpoch = 1;
  let config: TrainConfig | undefined;
  let backendLine = '';
  let exported: ExportedModel | undefined;
  let exportedUrls: string[] = [];
  let chartScheduled = false;
  let pendingUse = false;

  function setState(state: TrainState): void {
    section.dataset.trainState = state;
    const active = state === 'starting' || state === 'running' || state === 'paused';
    startButton.disabled = active;
    for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      input.disabled = active;
    }
    pauseButton.disabled = !(state === 'running' || state === 'paused');
    pauseButton.textContent = state === 'paused' ? 'Resume' : 'Pause';
    abortButton.disabled = !active;
    const trained = (state === 'done' || state === 'aborted') && steps.length > 0;
    exportButton.disabled = !trained;
    useButton.disabled = !trained;
  }

  function readConfig(): TrainConfig {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const backend = context.backend.backend;
    return {
      latentDim: Number(value('latent')),
      hiddenUnits: [Number(value('hidden'))],
      beta: Number(value('beta')),
      warmup: (form.elements.namedItem('warmup') as HTMLInputElement).checked,
      epochs: Number(value('epochs')),
      examples: Number(value('examples')),
      batchSize: Number(value('batch')),
      learningRate: Number(value('lr')),
      seed: 1,
      backend: isBackendName(backend) ? backend : undefined,
      replicas: value('workers') === 'auto' ? 'auto' : Number(value('workers')),
      siteUrl: new URL('./', location.href).href,
      dataFiles: DATA_FILES,
    };
  }

  /** The two loss charts, kept as SVG nodes and grown point by point (see live-chart.ts). */
  let charts: { reconstruction: LiveChart; kl: LiveChart; weighted: boolean } | undefined;
  /** Steps already drawn on the charts. */
  let charted = 0;

  function makeCharts(run: TrainConfig): void {
    const weighted = run.warmup || run.beta !== 1;
    const xDomain: [number, number] = [0, run.epochs];
    charts = {
      weighted,
      reconstruction: new LiveChart(reconstructionChart, {
        title: 'Reconstruction −log p(x|z)',
        xLabel: 'epoch',
        yLabel: 'nats per image',
        xDomain,
        series: [{ name: 'reconstruction', colour: '#3b5bdb' }],
      }),
      kl: new LiveChart(klChart, {
        title: 'KL divergence',
        xLabel: 'epoch',
        yLabel: 'nats per image',
        xDomain,
        series: [
          { name: 'KL(q(z|x) ‖ p(z))', colour: '#e8590c' },
          ...(weighted ? [{ name: 'weight × KL', colour: '#868e96' }] : []),
        ],
      }),
    };
    charted = 0;
  }

  /** Appends the steps that arrived since the last frame. */
  function drawCharts(): void {
    chartScheduled = false;
    if (!charts) return;
    const fresh = steps.slice(charted);
    charted = steps.length;
    if (!fresh.length) return;
    const points = (pick: (record: StepRecord) => number) =>
      fresh.map((record) => [record.progress, pick(record)] as [number, number]);
    charts.reconstruction.append([points((record) => record.reconstruction)]);
    charts.kl.append([
      points((record) => record.kl),
      ...(charts.weighted ? [points((record) => record.klWeight * record.kl)] : []),
    ]);
  }

  function scheduleCharts(): void {
    if (chartScheduled) return;
    chartScheduled = true;
    requestAnimationFrame(drawCharts);
  }

  function drawPreview(pixels: Float32Array, count: number): void {
    const image = imageGrid(
      { values: pixels, count, height: DIGIT_SIDE, width: DIGIT_SIDE },
      { columns: 4, padding: 2, background: 0.16 },
    );
    drawToCanvas(previewCanvas, image, { scale: 2 });
  }

  function addEpochRow(summary: EpochSummary): void {
    const row = document.createElement('tr');
    for (const text of [
      String(summary.epoch),
      summary.reconstruction.toFixed(2),
      summary.kl.toFixed(2),
      summary.total.toFixed(2),
      summary.heldOut ? summary.heldOut.total.toFixed(2) : '–',
      `${summary.seconds.toFixed(1)} s`,
      Math.round(summary.imagesPerSecond).toLocaleString('en-US'),
    ]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    epochTable.append(row);
    // the last epoch's held-out loss (fit's evaluation), for tests: full precision
    if (summary.heldOut) {
      section.dataset.heldOutLoss = String(summary.heldOut.total);
      section.dataset.heldOutEpoch = String(summary.epoch);
    }
  }

  function clearDownloads(): void {
    for (const url of exportedUrls) URL.revokeObjectURL(url);
    exportedUrls = [];
    downloads.replaceChildren();
    exported = undefined;
  }

  function link(name: string, blob: Blob): HTMLAnchorElement {
    const url = URL.createObjectURL(blob);
    exportedUrls.push(url);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = name;
    anchor.className = 'download';
    anchor.dataset.bytes = String(blob.size);
    anchor.textContent = `${name} (${(blob.size / 1024).toFixed(0)} kB)`;
    return anchor;
  }

  function showDownloads(model: ExportedModel): void {
    downloads.replaceChildren();
    const modelJson = {
      modelTopology: model.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: model.weightSpecs }],
      format: 'vae-model',
      generatedBy: '@vae/models (trained in the @vae demo)',
    };
    const json = link('model.json', new Blob([JSON.stringify(modelJson)], { type: 'application/json' }));
    const weights = link('weights.bin', new Blob([model.weightData], { type: 'application/octet-stream' }));
    const note = document.createElement('span');
    note.className = 'muted';
    note.textContent = 'Save both in one folder; load it with ?model=<url of model.json>.';
    downloads.append('Download: ', json, ' ', weights, ' ', note);
  }

  async function useModel(model: ExportedModel): Promise<void> {
    const loaded = await loadModel(
      tf.io.fromMemory({
        modelTopology: model.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs: model.weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: model.weightData,
      }),
      { as: VAE },
    );
    const reference = addMemoryModel(loaded);
    if (model.codes) setMemoryCodes(reference, model.codes);
    log.textContent = `Opened the trained ${describeModel(loaded)} in the other views (it lives in this tab only).`;
    context.useModel(reference, loaded.latentDim >= 2 ? 'explore' : 'sample');
  }

  function onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'status':
        log.textContent = message.text;
        break;
      case 'ready':
        stepsPerEpoch = message.stepsPerEpoch;
        progressBar.max = stepsPerEpoch * (config?.epochs ?? 1);
        backendLine =
          `Training on ${message.backend} in a Web Worker` +
          (message.failures.length
            ? ` (after ${message.failures.map((f) => f.split(':')[0]).join(', ')} failed)`
            : '') +
          `: ${message.examples.toLocaleString('en-US')} images, ${message.parameters.toLocaleString('en-US')} parameters; ` +
          `held-out loss on the last ${message.heldOut.toLocaleString('en-US')} test images` +
          (message.overlap ? ' (among the training images: train on 9,000 or fewer to hold them out)' : '') +
          (message.replicas > 1
            ? `; ${message.replicas} replicas (this worker and ${message.replicas - 1} more).`
            : message.replicasNote
              ? `; one replica (${message.replicasNote}).`
              : '.');
        log.textContent = backendLine;
        section.dataset.workerBackend = message.backend;
        section.dataset.replicas = String(message.replicas);
        setState('running');
        break;
      case 'step': {
        steps.push(message.record);
        const total = (record: StepRecord) => record.reconstruction + record.kl;
        section.dataset.steps = String(steps.length);
        section.dataset.firstLoss = total(steps[0]).toFixed(3);
        section.dataset.lastLoss = total(message.record).toFixed(3);
        progressBar.value = message.record.step;
        log.textContent =
          `${backendLine} Epoch ${message.record.epoch}, step ${message.record.step}: reconstruction ` +
          `${message.record.reconstruction.toFixed(1)}, KL ${message.record.kl.toFixed(2)} nats.`;
        scheduleCharts();
        break;
      }
      case 'epoch':
        addEpochRow(message.summary);
        break;
      case 'preview':
        drawPreview(message.pixels, message.count);
        break;
      case 'paused':
        setState('paused');
        log.textContent = `${backendLine} Paused.`;
        break;
      case 'resumed':
        setState('running');
        break;
      case 'done':
        drawCharts();
        setState(message.aborted ? 'aborted' : 'done');
        log.textContent =
          `${backendLine} ${message.aborted ? 'Aborted' : 'Finished'} after ${message.steps} steps. ` +
          'Export the model, or open it in the other views.';
        break;
      case 'exported':
        exported = message.model;
        showDownloads(exported);
        section.dataset.exported = 'true';
        if (pendingUse) {
          pendingUse = false;
          useModel(exported).catch(
            (error) => (log.textContent = `Could not open the model: ${error.message}`),
          );
        }
        break;
      case 'error':
        setState('error');
        log.textContent = `Training failed: ${message.message}`;
        console.error(`training failed: ${message.message}`);
        break;
    }
  }

  function send(message: ToWorker): void {
    worker?.postMessage(message);
  }

  function start(): void {
    if (!worker) {
      worker = new Worker(new URL('../train.worker.ts', import.meta.url), {
        type: 'module',
        name: 'vae-train',
      });
      worker.addEventListener('message', (event: MessageEvent<FromWorker>) => onMessage(event.data));
      worker.addEventListener('error', (event) => {
        setState('error');
        log.textContent = `The training worker failed: ${event.message || 'see the browser console'}`;
      });
    }
    config = readConfig();
    steps = [];
    epochTable.replaceChildren();
    clearDownloads();
    delete section.dataset.exported;
    delete section.dataset.heldOutLoss;
    delete section.dataset.heldOutEpoch;
    progressBar.value = 0;
    setState('starting');
    log.textContent = 'Starting the worker…';
    makeCharts(config);
    send({ type: 'start', config });
  }

  /**
   * The settings are part of the address (`?latent=10&beta=4&warmup=1`...; defaults left out), so a link shares
   * them. A value the form does not offer is ignored.
   */
  const SETTINGS = [
    'latent',
    'hidden',
    'beta',
    'warmup',
    'epochs',
    'examples',
    'batch',
    'lr',
    'workers',
  ] as const;
  const defaults = new Map<string, string>();

  function settingValue(name: string): string {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
    return field instanceof HTMLInputElement && field.type === 'checkbox'
      ? field.checked
        ? '1'
        : '0'
      : field.value;
  }

  function restoreSettings(): void {
    for (const name of SETTINGS) {
      defaults.set(name, settingValue(name));
      const wanted = context.parameters.get(name);
      if (wanted === null) continue;
      const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
      if (field instanceof HTMLSelectElement) {
        if ([...field.options].some((option) => option.value === wanted)) field.value = wanted;
      } else if (field.type === 'checkbox') {
        field.checked = wanted === '1';
      } else {
        const value = Number(wanted);
        if (Number.isFinite(value) && value >= Number(field.min) && value <= Number(field.max)) {
          field.value = wanted;
          field.dispatchEvent(new Event('input'));
        }
      }
    }
  }

  function shareSettings(): void {
    const changes: Record<string, string | null> = {};
    for (const name of SETTINGS) {
      const value = settingValue(name);
      changes[name] = value === defaults.get(name) ? null : value;
    }
    updateUrl(changes);
  }

  /**
   * The model controls from the VAE's own option descriptions (train-controls.ts): the values offered, where each
   * starts (the page's pick or the model's default) and the help (the words of `vae train --help`).
   */
  function describeControls(): void {
    for (const control of modelControls()) {
      const field = form.elements.namedItem(control.control);
      if (field instanceof HTMLSelectElement && control.kind === 'select') {
        field.replaceChildren(
          ...control.offered.map((n) => {
            const option = document.createElement('option');
            option.value = String(n);
            option.textContent = n.toLocaleString('en-US');
            option.selected = n === control.initial;
            return option;
          }),
        );
      } else if (field instanceof HTMLInputElement && control.kind === 'slider') {
        field.min = String(control.min);
        field.max = String(control.max);
        field.step = String(control.step);
        field.value = String(control.initial);
        field.dispatchEvent(new Event('input'));
      }
      if (field instanceof HTMLElement) field.title = control.help;
    }
    const warmup = MODEL_DESCRIPTIONS.VAE.options.find((o) => o.name === 'klSchedule');
    const warmupField = form.elements.namedItem('warmup');
    if (warmup && warmupField instanceof HTMLElement) warmupField.title = warmup.help;
  }

  /**
   * The replicas control (`fit`'s `workers`: the training worker and nested Web Workers, each training on part of
   * every batch), added before the buttons; 'auto' is one per core of this device.
   */
  function addReplicasControl(): void {
    const label = document.createElement('label');
    label.title =
      'Data-parallel training: each batch is split between this many workers (the training worker and nested ' +
      'ones), which add their gradients before every step; on the wasm and cpu backends. Measured on 2 cores: ' +
      `see the demo's README.`;
    const select = document.createElement('select');
    select.name = 'workers';
    for (const [value, text] of [
      ['1', '1'],
      ['2', '2'],
      ['4', '4'],
      ['auto', 'auto (one per core)'],
    ]) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      option.selected = value === String(REPLICAS_DEFAULT);
      select.append(option);
    }
    label.append('Workers ', select);
    form.querySelector('.buttons')?.before(label);
  }

  return {
    async start() {
      context.setStatus('train', 'Training runs in a Web Worker on the MNIST test set served by this site.');
      addReplicasControl();
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        start();
      });
      for (const name of ['beta', 'epochs']) {
        const input = form.elements.namedItem(name) as HTMLInputElement;
        const output = element<HTMLOutputElement>(`train-${name}-value`);
        input.addEventListener('input', () => {
          output.textContent = name === 'beta' ? Number(input.value).toFixed(1) : input.value;
        });
      }
      describeControls();
      restoreSettings();
      form.addEventListener('change', shareSettings);
      form.addEventListener('input', shareSettings);
      pauseButton.addEventListener('click', () => {
        send({ type: section.dataset.trainState === 'paused' ? 'resume' : 'pause' });
      });
      abortButton.addEventListener('click', () => send({ type: 'abort' }));
      exportButton.addEventListener('click', () => send({ type: 'export', codes: EXPORT_CODES }));
      useButton.addEventListener('click', () => {
        if (exported) useModel(exported).catch((error) => (log.textContent = String(error)));
        else {
          pendingUse = true;
          send({ type: 'export', codes: EXPORT_CODES });
        }
      });
      setState('idle');
      drawCharts();
    },
  };
}
