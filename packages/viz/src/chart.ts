/** Line charts and training curves as self-contained SVG strings (no DOM, no fonts or scripts to load). */
import type { LossTerms } from '@vae/core';
import {
  categoricalColour,
  closeFrame,
  extent,
  FONT_FAMILY,
  frameNote,
  openFrame,
  px,
  TEXT_COLOUR,
} from './frame';
import { escapeText } from './text';

export { niceAxis } from './frame';

export interface LineSeries {
  /** Legend entry. */
  name: string;
  /** `[x, y]` pairs, drawn in the given order. Pairs with a non-finite coordinate are skipped. */
  points: Array<[number, number]>;
  /** Draw a dashed line (e.g. validation beside a solid train line). Default false. */
  dashed?: boolean;
  /** Line colour (any SVG colour). Default: the next colour of a colour-blind-friendly palette. */
  colour?: string;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Width in pixels. Default 640. */
  width?: number;
  /** Height in pixels. Default 360. */
  height?: number;
  series: LineSeries[];
}

/**
 * Draws series of `[x, y]` points as a line chart: axes with nice tick values, one polyline plus point markers
 * per series in distinct colours, and a legend. Each marker is a `<circle>` with `data-x` / `data-y` holding the
 * exact input values. Points with a non-finite coordinate are skipped; a single point or a constant series gets
 * a widened axis. All text is escaped. Returns a standalone `<svg>` element as a string.
 */
export function lineChartSvg(options: LineChartOptions): string {
  return renderLineChart('lineChartSvg', options);
}

/** {@link lineChartSvg}, optionally as a nested `<svg>` placed at `offset` inside a larger figure. */
function renderLineChart(
  where: string,
  options: LineChartOptions,
  offset?: { x: number; y: number },
): string {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.series)) {
    throw new Error(`${where}: pass { series: [{ name, points: [[x, y], ...] }, ...] }.`);
  }
  const series = options.series.map((entry, index) => {
    if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.points)) {
      throw new Error(`${where}: series ${index} must be { name, points: [[x, y], ...] }.`);
    }
    const points = entry.points.filter((point, i) => {
      if (!Array.isArray(point)) {
        throw new Error(`${where}: point ${i} of series ${index} must be an [x, y] pair, got ${point}.`);
      }
      return Number.isFinite(point[0]) && Number.isFinite(point[1]);
    });
    const name = String(entry.name ?? `series ${index + 1}`);
    return { name, points, colour: entry.colour ?? categoricalColour(index), dashed: entry.dashed === true };
  });
  const all = series.flatMap((entry) => entry.points);
  const frame = openFrame({
    where,
    width: options.width ?? 640,
    height: options.height ?? 360,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xBounds: extent(all.map((point) => point[0])) ?? [0, 1],
    yBounds: extent(all.map((point) => point[1])) ?? [0, 1],
    legend: series.map((entry) => ({
      name: entry.name,
      colour: entry.colour,
      kind: entry.dashed ? 'dash' : 'line',
    })),
    offset,
  });
  const { out, toX, toY } = frame;
  if (all.length === 0) frameNote(frame, 'No data');
  for (const entry of series) {
    const name = escapeText(entry.name);
    const radius = entry.points.length > 200 ? 1.5 : 3;
    const coordinates = entry.points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ');
    const dash = entry.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<g class="series" data-name="${name}">`);
    out.push(
      `<polyline points="${coordinates}" fill="none" stroke="${entry.colour}" stroke-width="2"` +
        ` stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
    );
    for (const [x, y] of entry.points) {
      out.push(
        `<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="${radius}" fill="${entry.colour}"` +
          ` data-x="${x}" data-y="${y}"><title>${name}: (${x}, ${y})</title></circle>`,
      );
    }
    out.push('</g>');
  }
  return closeFrame(frame);
}

/** Loss terms of one epoch, in nats per example (any subset; other numeric terms may be added). */
export type EpochTerms = Partial<LossTerms> & { regularizer?: number };

/** One epoch's record, as the training loop and `metrics.json` report it. */
export interface TrainingCurveRecord {
  epoch: number;
  train: EpochTerms;
  validation?: EpochTerms;
}

export interface TrainingCurvesOptions {
  /** A title above the panels. */
  title?: string;
  /**
   * Terms to draw, one panel each, in this order. Default reconstruction, kl, weightedKl and total (and
   * regularizer when any record has it). Terms no record has are left out.
   */
  terms?: readonly string[];
  /** Panels per row. Default 2. */
  columns?: number;
  /** Size of one panel in pixels. Default 420 x 280. */
  panelWidth?: number;
  panelHeight?: number;
}

const TERM_TITLES: Record<string, string> = {
  reconstruction: 'Reconstruction',
  kl: 'KL divergence',
  weightedKl: 'Weighted KL (β · KL)',
  regularizer: 'Regularizer',
  total: 'Total loss',
};

/**
 * Training curves: one line chart per loss term (reconstruction, KL, weighted KL and total by default), each
 * with the train curve (solid) and the validation curve (dashed) against the epoch, laid out as panels of one
 * SVG. Values are in nats per example; non-finite values are skipped. Markers carry `data-x` (epoch) and
 * `data-y` (value) as in {@link lineChartSvg}; each panel is a nested `<svg>` with `data-term`.
 */
export function trainingCurvesSvg(
  epochs: readonly TrainingCurveRecord[],
  options: TrainingCurvesOptions = {},
): string {
  const where = 'trainingCurvesSvg';
  if (!Array.isArray(epochs)) {
    throw new Error(`${where}: pass an array of { epoch, train: { reconstruction, kl, ... }, validation? }.`);
  }
  epochs.forEach((record, i) => {
    if (record === null || typeof record !== 'object' || !Number.isFinite(record.epoch)) {
      throw new Error(`${where}: record ${i} must be { epoch: number, train: {...}, validation?: {...} }.`);
    }
    if (record.train === null || typeof record.train !== 'object') {
      throw new Error(`${where}: record ${i} (epoch ${record.epoch}) has no train terms.`);
    }
  });
  const value = (terms: EpochTerms | undefined, term: string): number | undefined => {
    const entry = terms === undefined ? undefined : (terms as Record<string, unknown>)[term];
    return typeof entry === 'number' ? entry : undefined;
  };
  const present = (term: string) =>
    epochs.some(
      (record) => value(record.train, term) !== undefined || value(record.validation, term) !== undefined,
    );
  const defaults = ['reconstruction', 'kl', 'weightedKl', 'regularizer', 'total'];
  const terms = (options.terms ?? defaults).filter(present);
  const columns = options.columns ?? 2;
  if (!Number.isInteger(columns) || columns < 1) {
    throw new Error(`${where}: columns must be a positive integer, got ${columns}.`);
  }
  const panelWidth = options.panelWidth ?? 420;
  const panelHeight = options.panelHeight ?? 280;
  const header = options.title ? 36 : 0;
  const shownColumns = Math.max(1, Math.min(columns, terms.length));
  const rows = Math.max(1, Math.ceil(terms.length / shownColumns));
  const width = shownColumns * panelWidth;
  const height = header + rows * panelHeight;
  const hasValidation = epochs.some((record) => record.validation !== undefined);
  const out: string[] = [];
  const label = options.title ? ` aria-label="${escapeText(options.title)}"` : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ` role="img"${label} font-family="${FONT_FAMILY}" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (options.title) {
    out.push(
      `<title>${escapeText(options.title)}</title>`,
      `<text x="16" y="24" font-size="16" font-weight="600" fill="${TEXT_COLOUR}">${escapeText(options.title)}</text>`,
    );
  }
  if (terms.length === 0) {
    out.push(
      `<text x="${px(width / 2)}" y="${px(header + panelHeight / 2)}" text-anchor="middle" fill="#6b7280">` +
        'No data</text>',
    );
  }
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  terms.forEach((term, i) => {
    const points = (split: 'train' | 'validation') =>
      sorted
        .map((record): [number, number | undefined] => [record.epoch, value(record[split], term)])
        .filter((point): point is [number, number] => point[1] !== undefined);
    const series: LineSeries[] = [{ name: 'train', points: points('train'), colour: categoricalColour(0) }];
    if (hasValidation) {
      series.push({
        name: 'validation',
        points: points('validation'),
        colour: categoricalColour(1),
        dashed: true,
      });
    }
    const panel = renderLineChart(
      where,
      {
        title: TERM_TITLES[term] ?? term,
        xLabel: 'epoch',
        yLabel: 'nats per example',
        width: panelWidth,
        height: panelHeight,
        series,
      },
      { x: (i % shownColumns) * panelWidth, y: header + Math.floor(i / shownColumns) * panelHeight },
    );
    out.push(panel.replace(/^<svg /, `<svg data-term="${escapeText(term)}" `));
  });
  out.push('</svg>');
  return out.join('\n');
}
