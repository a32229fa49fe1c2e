/**
 * Recommendations: which items will a user like next? The view draws a seeded synthetic rating set
 * (`syntheticRatings` of @vae/data: free to redistribute, unlike MovieLens), keeps the ratings of 4 or 5 as clicks
 * and hides a fifth of each user's clicks. The popularity baseline (`Popularity` of @vae/models) is scored at once;
 * **Run** trains Mult-VAE (or Mult-DAE) of @vae/models in a Web Worker (`train.worker.ts` -> `recommend-run.ts`)
 * through `fit`, with the held-out Recall@k and NDCG@k after every epoch (`splitTopNMetrics` of @vae/metrics). For
 * a picked user: the items they liked, the model's top 10 and popularity's top 10, the held-out items marked.
 * Settings in the address (`?rseed=2&rmodel=mult-dae&repochs=40&ruser=5`).
 *
 * Hooks for tests on `#view-recommend`: `data-recommend-state` (idle, running, done, aborted, error), `data-steps`,
 * `data-epochs-done`, `data-model-recall10`, `data-model-ndcg10`, `data-popularity-recall10`,
 * `data-popularity-ndcg10`, `data-user`, `data-user-model-hits`, `data-user-popularity-hits`, `data-user-held-out`.
 */
import { splitTopNMetrics, topN } from '@vae/metrics';
import { Popularity } from '@vae/models';
import { isBackendName } from '../backends';
import { LiveChart } from '../live-chart';
import {
  firstUserWithHeldOut,
  hits,
  type ListedItem,
  listItems,
  parseUser,
  popularityRanks,
} from '../recommend-lists';
import type {
  FromRecommendWorker,
  RecommendConfig,
  TopNScores,
  ToRecommendWorker,
} from '../recommend-messages';
import {
  RECOMMEND_DATA,
  RECOMMEND_DEFAULTS,
  RECOMMEND_KS,
  RECOMMEND_MODEL,
  RECOMMEND_TOP,
  RECOMMEND_TRAINING,
  type RecommendData,
  type RecommendModelName,
  type RecommendSettings,
  recommendData,
} from '../recommend-setup';
import { settingsForm, workerBackendLine } from '../settings-form';
import { element, updateUrl } from '../shared';
import type { View, ViewContext } from './context';

type RecommendState = 'idle' | 'running' | 'done' | 'aborted' | 'error';

/** The form's fields and the address's parameters (prefixed so as not to clash with other views'). */
const FIELDS = { seed: 'rseed', model: 'rmodel', epochs: 'repochs' } as const;
const USER_PARAMETER = 'ruser';

const MODEL_NAMES: Record<RecommendModelName, string> = { 'mult-vae': 'Mult-VAE', 'mult-dae': 'Mult-DAE' };

const fixed = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(3));

export function createRecommendView(context: ViewContext): View {
  const section = element<HTMLElement>('view-recommend');
  const form = element<HTMLFormElement>('recommend-form');
  const runButton = element<HTMLButtonElement>('recommend-run');
  const stopButton = element<HTMLButtonElement>('recommend-stop');
  const progressBar = element<HTMLProgressElement>('recommend-progress');
  const log = element<HTMLParagraphElement>('recommend-log');
  const dataLine = element<HTMLParagraphElement>('recommend-data');
  const table = element<HTMLTableSectionElement>('recommend-results');
  const modelColumn = element<HTMLTableCellElement>('recommend-model-column');
  const chartBox = element<HTMLDivElement>('recommend-chart');
  const userInput = element<HTMLInputElement>('recommend-user');
  const previousButton = element<HTMLButtonElement>('recommend-previous');
  const nextButton = element<HTMLButtonElement>('recommend-next');
  const userSummary = element<HTMLParagraphElement>('recommend-user-summary');
  const likedList = element<HTMLUListElement>('recommend-liked');
  const heldOutLine = element<HTMLParagraphElement>('recommend-held-out');
  const modelHeading = element<HTMLHeadingElement>('recommend-model-heading');
  const modelList = element<HTMLOListElement>('recommend-model-list');
  const popularList = element<HTMLOListElement>('recommend-popular-list');
  const howMeasured = element<HTMLParagraphElement>('recommend-method');
  const fields = settingsForm(form, FIELDS);

  let worker: Worker | undefined;
  let settings: RecommendSettings = { ...RECOMMEND_DEFAULTS };
  let data: RecommendData | undefined;
  let dataSeed = -1;
  let ranks: Int32Array = new Int32Array(0);
  let popularity: Popularity | undefined;
  let popularityScores: TopNScores | undefined;
  let modelScores: TopNScores | undefined;
  /** The trained model's lists (RECOMMEND_TOP per user), for the settings it was trained with. */
  let modelLists: Int32Array | undefined;
  let trainedName = '';
  let user = 0;
  let stepsPerEpoch = 1;
  let backendLine = '';
  let chart: LiveChart | undefined;

  function setState(state: RecommendState): void {
    section.dataset.recommendState = state;
    const running = state === 'running';
    runButton.disabled = running;
    runButton.textContent = state === 'error' ? 'Try again' : modelLists ? 'Run again' : 'Run';
    stopButton.disabled = !running;
    fields.disable(running);
  }

  function readSettings(): RecommendSettings {
    return {
      seed: Number(fields.select('seed').value),
      model: fields.select('model').value === 'mult-dae' ? 'mult-dae' : 'mult-vae',
      epochs: Number(fields.select('epochs').value),
    };
  }

  /** The data of the form's seed (drawn in the page: the same function the worker trains on) and popularity's scores. */
  async function prepareData(): Promise<void> {
    const seed = readSettings().seed;
    if (seed === dataSeed && data) return;
    data = recommendData({ seed });
    dataSeed = seed;
    const { train, test, ratings } = data;
    popularity = new Popularity(train);
    ranks = popularityRanks(popularity.counts);
    const counts = popularity.counts;
    popularityScores = await splitTopNMetrics((users) => popularity?.scores(users) ?? [], train, test, [
      ...RECOMMEND_KS,
    ]);
    section.dataset.popularityRecall10 = String(popularityScores.recall[10]);
    section.dataset.popularityNdcg10 = String(popularityScores.ndcg[10]);
    const sorted = Array.from(counts).sort((a, b) => b - a);
    const tenth = Math.round(RECOMMEND_DATA.items / 10);
    const topShare = sorted.slice(0, tenth).reduce((a, b) => a + b, 0) / train.size;
    dataLine.textContent =
      `Seed ${seed}: ${ratings.numUsers} users, ${ratings.numItems} items, ${ratings.size.toLocaleString('en-US')} ` +
      `ratings from 1 to 5, of which ${(train.size + test.size).toLocaleString('en-US')} are 4 or 5 (a like); ` +
      `${train.size.toLocaleString('en-US')} likes to learn from and ${test.size.toLocaleString('en-US')} hidden ` +
      `(held out). The most liked tenth of the items has ${(100 * topShare).toFixed(0)} % of the likes.`;
  }

  function describeMethod(): void {
    const { users, items, density, rank, minRating, testFraction } = RECOMMEND_DATA;
    howMeasured.textContent =
      `How this is measured: ${users} synthetic users each rate ${Math.round(density * items)} of ${items} items, ` +
      'picked by popularity (a Zipf law, so a few items are rated by almost everyone); a rating comes from ' +
      `${rank} hidden taste factors of the user and the item, the item's own bias and noise. Ratings of ` +
      `${minRating} or more count as likes; ${100 * testFraction} % of each user's likes are hidden from every ` +
      "model. A model ranks all items a user has not liked in training; Recall@k is the share of the user's " +
      'hidden likes found in its top k (out of at most k), NDCG@k also rewards finding them near the top; both are ' +
      'averaged over the users with hidden likes. Popularity recommends the same most-liked items to everyone. ' +
      `The model: ${items}-${RECOMMEND_MODEL.hiddenUnits.join('-')}-${RECOMMEND_MODEL.latentDim} (and back), ` +
      `tanh, half the input dropped while training, Adam ${RECOMMEND_TRAINING.learningRate} on batches of ` +
      `${RECOMMEND_TRAINING.batchSize} users; Mult-VAE's KL weight rises from 0 to ${RECOMMEND_TRAINING.klCap} ` +
      'over the first 80 % of the steps (Liang et al., 2018). Measured for seeds 1-3: after 10 epochs Mult-VAE ' +
      'has only caught up with popularity (Recall@10 0.24-0.31 against 0.24-0.29), after 20 it is ahead ' +
      '(0.31-0.37), after 40 further (0.34-0.39). One seed per run: other seeds give other numbers.';
  }

  function renderTable(): void {
    const rows: [string, number | undefined, number | undefined][] = [];
    for (const k of RECOMMEND_KS) {
      rows.push([`Recall@${k}`, popularityScores?.recall[k], modelScores?.recall[k]]);
      rows.push([`NDCG@${k}`, popularityScores?.ndcg[k], modelScores?.ndcg[k]]);
    }
    table.replaceChildren(
      ...rows.map(([name, baseline, model]) => {
        const row = document.createElement('tr');
        const head = document.createElement('th');
        head.scope = 'row';
        head.textContent = name;
        const cells = [baseline, model].map((value) => {
          const cell = document.createElement('td');
          cell.textContent = fixed(value);
          return cell;
        });
        if (baseline !== undefined && model !== undefined && model > baseline) cells[1].className = 'better';
        row.append(head, ...cells);
        return row;
      }),
    );
  }

  function renderList(target: HTMLElement, list: readonly ListedItem[], empty: string): void {
    if (list.length === 0) {
      const item = document.createElement('li');
      item.className = 'empty';
      item.textContent = empty;
      target.replaceChildren(item);
      return;
    }
    target.replaceChildren(
      ...list.map((entry) => {
        const item = document.createElement('li');
        if (entry.heldOut) item.className = 'held';
        const name = document.createElement('span');
        name.textContent = entry.label;
        const rank = document.createElement('span');
        rank.className = 'rank';
        rank.textContent = `#${entry.popularityRank} most liked`;
        item.append(name, ' ', rank);
        if (entry.heldOut) {
          const mark = document.createElement('span');
          mark.className = 'mark';
          mark.textContent = '✓ hidden like';
          item.append(' ', mark);
        }
        return item;
      }),
    );
  }

  /** The picked user's liked items, the model's top N and popularity's top N, the held-out ones marked. */
  function renderUser(): void {
    if (!data) return;
    const { trainItems, testItems, ratings } = data;
    const itemIds = ratings.itemIds;
    const heldOut = new Set(testItems[user]);
    const liked = listItems(
      [...trainItems[user]].sort((a, b) => ranks[a] - ranks[b]),
      itemIds,
      ranks,
      new Set(),
    );
    likedList.replaceChildren(
      ...liked.map((entry) => {
        const item = document.createElement('li');
        item.textContent = entry.label;
        item.title = `#${entry.popularityRank} most liked`;
        return item;
      }),
    );
    if (liked.length === 0) {
      const item = document.createElement('li');
      item.textContent = 'none';
      likedList.replaceChildren(item);
    }
    const hidden = listItems(
      [...testItems[user]].sort((a, b) => ranks[a] - ranks[b]),
      itemIds,
      ranks,
      heldOut,
    );
    heldOutLine.textContent = hidden.length
      ? `Hidden from the models (what a good list finds): ${hidden.map((entry) => entry.label).join(', ')}.`
      : 'This user has no hidden likes (too few likes to hold one out).';
    const popular = listItems(
      topN(popularity?.counts ?? [], RECOMMEND_TOP, trainItems[user]),
      itemIds,
      ranks,
      heldOut,
    );
    renderList(popularList, popular, 'no items left');
    const modelName = trainedName || MODEL_NAMES[readSettings().model];
    modelHeading.textContent = `${modelName}’s top ${RECOMMEND_TOP}`;
    const model = modelLists
      ? listItems(
          modelLists.subarray(user * RECOMMEND_TOP, (user + 1) * RECOMMEND_TOP),
          itemIds,
          ranks,
          heldOut,
        )
      : [];
    renderList(modelList, model, modelLists ? 'no items left' : 'Press Run to train it and see its list.');
    section.dataset.user = String(user);
    section.dataset.userHeldOut = String(hidden.length);
    section.dataset.userPopularityHits = String(hits(popular));
    if (modelLists) section.dataset.userModelHits = String(hits(model));
    else delete section.dataset.userModelHits;
    userSummary.textContent =
      `User ${user} liked ${liked.length} items in training; ${hidden.length} more are hidden. ` +
      (modelLists ? `${modelName}’s top ${RECOMMEND_TOP} finds ${hits(model)} of them, ` : '') +
      `popularity’s top ${RECOMMEND_TOP} finds ${hits(popular)}.`;
  }

  function pickUser(next: number, share = true): void {
    const users = RECOMMEND_DATA.users;
    user = ((next % users) + users) % users;
    userInput.value = String(user);
    if (share)
      updateUrl({
        [USER_PARAMETER]: user === firstUserWithHeldOut(data?.testItems ?? []) ? null : String(user),
      });
    renderUser();
  }

  function resetChart(epochs: number): void {
    chart = new LiveChart(chartBox, {
      title: 'Held-out Recall@10 after each epoch',
      xLabel: 'epoch',
      yLabel: 'Recall@10',
      xDomain: [0, epochs],
      series: [
        { name: MODEL_NAMES[settings.model], colour: '#3b5bdb' },
        { name: 'popularity', colour: '#868e96' },
      ],
    });
  }

  function clearModel(): void {
    modelScores = undefined;
    modelLists = undefined;
    trainedName = '';
    for (const key of ['modelRecall10', 'modelNdcg10', 'steps', 'epochsDone', 'userModelHits']) {
      delete section.dataset[key];
    }
    modelColumn.textContent = MODEL_NAMES[readSettings().model];
    renderTable();
    renderUser();
  }

  function onMessage(message: FromRecommendWorker): void {
    switch (message.type) {
      case 'recommend-status':
        log.textContent = backendLine ? `${backendLine} ${message.text}` : message.text;
        break;
      case 'recommend-ready':
        stepsPerEpoch = message.stepsPerEpoch;
        progressBar.max = stepsPerEpoch * settings.epochs;
        backendLine =
          `${workerBackendLine(message.backend, message.failures)}: ${MODEL_NAMES[settings.model]}, ` +
          `${message.parameters.toLocaleString('en-US')} parameters.`;
        section.dataset.workerBackend = message.backend;
        log.textContent = backendLine;
        break;
      case 'recommend-step':
        progressBar.value = message.step;
        section.dataset.steps = String(message.step);
        log.textContent =
          `${backendLine} Epoch ${message.epoch} of ${settings.epochs}, step ${message.step}; ` +
          `multinomial loss ${message.reconstruction.toFixed(1)} nats per user.`;
        break;
      case 'recommend-epoch': {
        const baseline = popularityScores?.recall[10] ?? 0;
        chart?.append([[[message.epoch, message.scores.recall[10]]], [[message.epoch, baseline]]]);
        section.dataset.epochsDone = String(message.epoch);
        log.textContent =
          `${backendLine} Epoch ${message.epoch} of ${settings.epochs}: held-out Recall@10 ` +
          `${message.scores.recall[10].toFixed(3)} (popularity ${baseline.toFixed(3)}).`;
        break;
      }
      case 'recommend-result':
        modelScores = message.scores;
        modelLists = message.lists;
        trainedName = MODEL_NAMES[settings.model];
        section.dataset.modelRecall10 = String(message.scores.recall[10]);
        section.dataset.modelNdcg10 = String(message.scores.ndcg[10]);
        renderTable();
        renderUser();
        break;
      case 'recommend-done': {
        setState(message.aborted ? 'aborted' : 'done');
        const model = modelScores?.recall[10];
        const baseline = popularityScores?.recall[10];
        log.textContent = message.aborted
          ? `${backendLine} Stopped. Press Run to start again.`
          : `${backendLine} Done in ${message.seconds.toFixed(1)} s: held-out Recall@10 ${fixed(model)} against ` +
            `popularity's ${fixed(baseline)}.`;
        context.setStatus(
          'recommend',
          message.aborted
            ? 'stopped.'
            : `${trainedName} trained in the worker (${message.seconds.toFixed(1)} s).`,
        );
        break;
      }
      case 'recommend-error':
        fail(message.message);
        break;
    }
  }

  /** The run stopped on an error: say so in the view (the other views are unaffected); Run becomes Try again. */
  function fail(message: string): void {
    console.warn(`recommendations failed: ${message}`);
    worker?.terminate();
    worker = undefined;
    setState('error');
    log.textContent = `Training the recommender failed: ${message}. Press Try again to run it again.`;
  }

  async function start(): Promise<void> {
    if (!worker) {
      worker = new Worker(new URL('../train.worker.ts', import.meta.url), {
        type: 'module',
        name: 'vae-recommend',
      });
      worker.addEventListener('message', (event: MessageEvent<FromRecommendWorker>) => onMessage(event.data));
      worker.addEventListener('error', (event) => {
        fail(`the worker stopped (${event.message || 'see the browser console'})`);
      });
    }
    settings = readSettings();
    await prepareData();
    clearModel();
    resetChart(settings.epochs);
    backendLine = '';
    progressBar.value = 0;
    setState('running');
    log.textContent = 'Starting the worker…';
    const backend = context.backend.backend;
    const config: RecommendConfig = { ...settings, backend: isBackendName(backend) ? backend : undefined };
    const message: ToRecommendWorker = { type: 'recommend-start', config };
    worker.postMessage(message);
  }

  return {
    async start() {
      fields.restore(context.parameters);
      describeMethod();
      await prepareData();
      const fromAddress = parseUser(context.parameters.get(USER_PARAMETER), RECOMMEND_DATA.users);
      userInput.max = String(RECOMMEND_DATA.users - 1);
      pickUser(fromAddress ?? firstUserWithHeldOut(data?.testItems ?? []), false);
      settings = readSettings();
      resetChart(settings.epochs);
      clearModel();
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        start().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
      });
      form.addEventListener('change', (event) => {
        if (event.target === userInput) return;
        fields.share(readSettings(), RECOMMEND_DEFAULTS);
        // another seed is another data set: the trained lists no longer apply
        if (readSettings().seed !== dataSeed) {
          prepareData()
            .then(() => {
              clearModel();
              pickUser(user);
            })
            .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
        } else if (!modelLists) clearModel();
      });
      // typing or the arrow keys show each valid number at once; leaving the field puts back the user shown
      userInput.addEventListener('input', () => {
        const value = parseUser(userInput.value, RECOMMEND_DATA.users);
        if (value !== undefined && value !== user) pickUser(value);
      });
      userInput.addEventListener('change', () => {
        const value = parseUser(userInput.value, RECOMMEND_DATA.users);
        pickUser(value ?? user);
      });
      previousButton.addEventListener('click', () => pickUser(user - 1));
      nextButton.addEventListener('click', () => pickUser(user + 1));
      stopButton.addEventListener('click', () => {
        const message: ToRecommendWorker = { type: 'recommend-abort' };
        worker?.postMessage(message);
      });
      renderTable();
      setState('idle');
      context.setStatus('recommend', 'press Run: a recommender trained in a Web Worker, a few seconds.');
    },
  };
}
