/**
 * The @vae demo: a static site whose views explore, draw with, interpolate, sample and train VAEs in the browser.
 *
 * Query parameters (the page keeps them up to date, so the address is always a link to what it shows):
 * `view` (learn, why, explore, draw, interpolate, sample, train, disentangle, anomaly, debias, recommend),
 * `backend` (webgpu, webgl, wasm, cpu; default: the fastest that works), `model` (a shipped model's name such as
 * `mnist-vae`, or the URL of a model.json: replaces the views' main model), `data` (the explorer's data set: mnist
 * or fashion), `z` (the explorer's point), `a`/`b` (interpolation ends), `t` (sampling temperature), `s` (the
 * Disentangle view's sprite), `dseed`/`drare`/`dalpha`/`depochs` (the Debiasing view's settings),
 * `rseed`/`rmodel`/`repochs`/`ruser` (the Recommendations view's settings and user).
 *
 * Hooks for tests and scripts: `<body>` carries `data-state` ('loading', 'ready' or 'error'), `data-backend` (the
 * active backend), `data-view` (the view shown) and `data-renders` (sample grids drawn); each view's section gets
 * `data-ready` once it has drawn.
 */
import { isMemoryModel, ModelLoadError } from './assets';
import { BACKENDS, type BackendChoice, isBackendName, startBackend } from './backends';
import { keepLoadedFilesOffline } from './offline';
import { element, escapeHtml, isViewName, messageOf, updateUrl, VIEWS, type ViewName } from './shared';
import './style.css';
import { createAnomalyView } from './views/anomaly';
import type { View, ViewContext } from './views/context';
import { createDebiasView } from './views/debias';
import { createDisentangleView } from './views/disentangle';
import { createDrawView } from './views/draw';
import { createExploreView } from './views/explore';
import { createInterpolateView } from './views/interpolate';
import { createLearnView } from './views/learn';
import { createRecommendView } from './views/recommend';
import { createSampleView } from './views/sample';
import { createTrainView } from './views/train';
import { createWhyView } from './views/why';

const statusLine = element<HTMLParagraphElement>('status');
const errorBox = element<HTMLDivElement>('error');
const backendSelect = element<HTMLSelectElement>('backend-select');
const backendActive = element<HTMLElement>('backend-active');
const shareLink = element<HTMLAnchorElement>('share-link');

type PageState = 'loading' | 'ready' | 'error';

/** Set when the page cannot run at all (no backend): then no view can start. */
let fatal = false;

function setState(state: PageState): void {
  document.body.dataset.state = state;
}

function section(view: ViewName): HTMLElement {
  return element<HTMLElement>(`view-${view}`);
}

function currentView(): ViewName {
  const view = document.body.dataset.view ?? '';
  return isViewName(view) ? view : 'explore';
}

interface Failure {
  title: string;
  detail: string;
  hint?: string;
}

/** Shows an error in the box above the views, with a button that tries again (`retry`). */
function renderError({ title, detail, hint }: Failure, retry: () => void): void {
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
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'error-retry';
  button.textContent = 'Try again';
  button.addEventListener('click', retry, { once: true });
  errorBox.append(button);
  errorBox.hidden = false;
  section(currentView()).hidden = true;
  setState('error');
}

/** An error that stops the whole page (no backend): every view needs TensorFlow.js. */
function showError(title: string, detail: string, hint?: string): void {
  fatal = true;
  renderError({ title, detail, hint }, () => location.reload());
  const backend = document.body.dataset.backend;
  statusLine.textContent = backend ? `Backend ${backend} · stopped by the error above.` : 'Stopped.';
}

const MISSING_MODEL_HINT =
  'A model that comes with the demo is missing. To create them, run from the repository root ' +
  '<code>pnpm turbo run build</code>, then <code>node apps/demo/scripts/prepare-model.mjs --all</code> (or one ' +
  'of them by name, e.g. <code>node apps/demo/scripts/prepare-model.mjs mnist-vae-2d</code>): it trains them ' +
  'with the <code>vae</code> CLI and copies them to <code>apps/demo/public/models/</code>. Or load another ' +
  'model with <code>?model=&lt;url of model.json&gt;</code>.';

const CUSTOM_MODEL_HINT =
  'Check the <code>?model=</code> URL: it must point to a <code>model.json</code> saved by <code>vae train</code> ' +
  '(or <code>saveModel</code> from @vae/models), with its <code>weights.bin</code> beside it.';

async function main(): Promise<void> {
  const parameters = new URLSearchParams(location.search);
  const requestedView = parameters.get('view') || 'explore';
  const initialView: ViewName = isViewName(requestedView) ? requestedView : 'explore';

  const requested = parameters.get('backend') || undefined;
  backendSelect.value = requested && isBackendName(requested) ? requested : '';
  backendSelect.addEventListener('change', () => {
    // A backend holds the models' weights: switching reloads the page with the same state on the new backend.
    const next = new URLSearchParams(location.search);
    if (backendSelect.value) next.set('backend', backendSelect.value);
    else next.delete('backend');
    location.search = next.toString();
  });
  const refreshShareLink = () => {
    shareLink.href = location.href;
  };
  document.addEventListener('vae:url', refreshShareLink);
  refreshShareLink();

  document.body.dataset.view = initialView;
  section(initialView).hidden = false;

  if (requested !== undefined && !isBackendName(requested)) {
    showError(
      'Unknown backend',
      `"${requested}" is not a TensorFlow.js backend this demo knows.`,
      `Use ${BACKENDS.map((name) => `<a href="?backend=${name}">?backend=${name}</a>`).join(', ')}, or leave ` +
        'it out to pick the fastest that works.',
    );
    return;
  }

  keepLoadedFilesOffline();
  statusLine.textContent = requested ? `Starting the ${requested} backend…` : 'Starting TensorFlow.js…';
  let choice: BackendChoice;
  try {
    choice = await startBackend(requested);
  } catch (error) {
    backendActive.textContent = 'none';
    showError('TensorFlow.js could not start', messageOf(error));
    return;
  }
  document.body.dataset.backend = choice.backend;
  backendActive.textContent = choice.backend;
  for (const failure of choice.failures) console.warn(`backend skipped: ${failure}`);
  for (const skipped of choice.skipped) console.info(`backend not tried: ${skipped}`);
  const backendNote = choice.failures.length
    ? ` (after ${choice.failures.map((failure) => escapeHtml(failure.split(':')[0])).join(', ')} failed)`
    : '';
  backendActive.title = [...choice.failures, ...choice.skipped].join('\n');

  let modelOverride = parameters.get('model') || undefined;
  const viewStatus = new Map<ViewName, string>();
  const renderStatus = () => {
    const text = viewStatus.get(currentView());
    statusLine.innerHTML = `Backend <b>${choice.backend}</b>${backendNote}${text ? ` · ${text}` : ''}`;
  };

  const views = new Map<ViewName, View>();
  const started = new Map<ViewName, Promise<void>>();
  /** Views that failed, with what to show: each view fails alone, the others keep working. */
  const failures = new Map<ViewName, Failure>();
  /** Views whose start() completed (a later failure is retried with reload(), not a new page). */
  const startedOk = new Set<ViewName>();
  /** The main model each started view has loaded. */
  const loadedModel = new Map<ViewName, string | undefined>();

  function failView(view: ViewName, error: unknown): void {
    const message = messageOf(error);
    if (error instanceof ModelLoadError) {
      const custom = modelOverride !== undefined && !isMemoryModel(modelOverride);
      failWith(view, {
        title: `Could not load the model from ${error.url}`,
        detail: message,
        hint: custom ? CUSTOM_MODEL_HINT : MISSING_MODEL_HINT,
      });
    } else {
      failWith(view, { title: `The ${view} view failed`, detail: message });
    }
  }

  function failWith(view: ViewName, failure: Failure): void {
    console.warn(`${view} view: ${failure.title}: ${failure.detail}`);
    failures.set(view, failure);
    if (view === currentView()) showFailure(view);
  }

  function showFailure(view: ViewName): void {
    const failure = failures.get(view);
    if (!failure) return;
    renderError(failure, () => retry(view));
    viewStatus.set(view, 'this view stopped on the error above; the other views still work.');
    renderStatus();
  }

  /** Tries a failed view again: reloads its model if it had started, else opens the page again at this view. */
  function retry(view: ViewName): void {
    failures.delete(view);
    errorBox.hidden = true;
    viewStatus.delete(view);
    const instance = views.get(view);
    if (instance?.reload && startedOk.has(view)) {
      section(view).hidden = false;
      setState('loading');
      section(view).dataset.ready = 'false';
      instance
        .reload()
        .then(() => {
          section(view).dataset.ready = 'true';
          if (currentView() === view) setState('ready');
        })
        .catch((error) => failView(view, error));
      return;
    }
    // open the page again at this view (the address bar's own update may still be pending)
    const again = new URL(location.href);
    if (view === 'explore') again.searchParams.delete('view');
    else again.searchParams.set('view', view);
    location.replace(again.href);
  }

  const context: ViewContext = {
    backend: choice,
    parameters,
    shared: {},
    model: (defaultModel) => modelOverride ?? defaultModel,
    useModel(reference, thenShow) {
      modelOverride = reference;
      updateUrl({ model: reference && !isMemoryModel(reference) ? reference : null });
      showView(thenShow);
    },
    setStatus(view, html) {
      viewStatus.set(view, html);
      if (view === currentView()) renderStatus();
    },
    fail: (title, detail, hint) => failWith(currentView(), { title, detail, hint }),
    showView: (view) => showView(view),
  };

  const factories: Partial<Record<ViewName, (context: ViewContext) => View>> = {
    learn: createLearnView,
    why: createWhyView,
    explore: createExploreView,
    draw: createDrawView,
    interpolate: createInterpolateView,
    sample: createSampleView,
    train: createTrainView,
    disentangle: createDisentangleView,
    anomaly: createAnomalyView,
    debias: createDebiasView,
    recommend: createRecommendView,
  };

  /** Starts the view on first show, reloads it when the main model changed since, and waits until it has drawn. */
  async function activate(view: ViewName): Promise<void> {
    // the section shows a loading bar (style.css) until it has drawn
    section(view).setAttribute('aria-busy', 'true');
    try {
      await activateView(view);
    } finally {
      section(view).removeAttribute('aria-busy');
    }
  }

  async function activateView(view: ViewName): Promise<void> {
    const factory = factories[view];
    if (!factory) {
      section(view).dataset.ready = 'true';
      return;
    }
    const desired = modelOverride;
    let instance = views.get(view);
    if (!instance) {
      instance = factory(context);
      views.set(view, instance);
      loadedModel.set(view, desired);
      const promise = instance.start();
      started.set(view, promise);
      await promise;
      startedOk.add(view);
    } else {
      await started.get(view);
      if (loadedModel.get(view) !== desired && instance.reload) {
        loadedModel.set(view, desired);
        section(view).dataset.ready = 'false';
        await instance.reload();
      } else {
        instance.resume?.();
      }
    }
    section(view).dataset.ready = 'true';
  }

  function showView(view: ViewName): void {
    if (fatal) return;
    document.body.dataset.view = view;
    for (const name of VIEWS) {
      section(name).hidden = name !== view || failures.has(name);
      const tab = document.getElementById(`tab-${name}`);
      tab?.setAttribute('aria-selected', String(name === view));
      tab?.setAttribute('tabindex', name === view ? '0' : '-1');
    }
    updateUrl({ view: view === 'explore' ? null : view });
    renderStatus();
    if (failures.has(view)) {
      showFailure(view);
      return;
    }
    errorBox.hidden = true;
    setState(section(view).dataset.ready === 'true' ? 'ready' : 'loading');
    activate(view)
      .then(() => {
        if (currentView() === view && !failures.has(view)) setState('ready');
      })
      .catch((error) => failView(view, error));
  }

  for (const tab of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
    tab.addEventListener('click', () => {
      const view = tab.dataset.view ?? '';
      if (isViewName(view)) showView(view);
    });
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const index = VIEWS.indexOf(currentView()) + (event.key === 'ArrowRight' ? 1 : -1);
      const next = VIEWS[(index + VIEWS.length) % VIEWS.length];
      showView(next);
      document.getElementById(`tab-${next}`)?.focus();
    });
  }

  statusLine.textContent = `Backend ${choice.backend}. Loading the model…`;
  document.body.dataset.view = initialView;
  for (const name of VIEWS) {
    const tab = document.getElementById(`tab-${name}`);
    tab?.setAttribute('aria-selected', String(name === initialView));
    tab?.setAttribute('tabindex', name === initialView ? '0' : '-1');
  }
  renderStatus();
  try {
    await activate(initialView);
  } catch (error) {
    failView(initialView, error);
    return;
  }
  if (failures.has(initialView) || currentView() !== initialView) return;
  setState('ready');
}

main().catch((error: unknown) => {
  showError('The demo failed to start', messageOf(error));
});
