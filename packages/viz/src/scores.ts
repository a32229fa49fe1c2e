/** Charts of scores: ROC curves and histograms with a threshold, as self-contained SVG strings. */
import type { RocCurve as ComputedRocCurve } from '@vae/core';
import {
  categoricalColour,
  closeFrame,
  extent,
  frameNote,
  type LegendEntry,
  MUTED_COLOUR,
  openFrame,
  px,
  TEXT_COLOUR,
} from './frame';
import { escapeText, formatNumber } from './text';

/** One operating point of a classifier or anomaly score. */
export interface RocPoint {
  falsePositiveRate: number;
  truePositiveRate: number;
}

/**
 * A named ROC curve, for drawing several in one chart: its points, or the curve as `rocCurve` of `@vae/metrics`
 * returns it (core's `RocCurve`).
 */
export interface NamedRocCurve {
  name: string;
  points: readonly RocPoint[] | ComputedRocCurve;
  /** Area under the curve, shown in the legend. */
  auc?: number;
}

/**
 * @deprecated Renamed `NamedRocCurve`: `RocCurve` is the type of `@vae/core` (and `@vae/metrics`) for the curve
 * that `rocCurve` computes, which `rocCurveSvg` draws as it is.
 */
export type RocCurve = NamedRocCurve;

export interface RocCurveOptions {
  /** Area under the curve of a single curve, shown in the legend as `AUC = 0.934`. */
  auc?: number;
  /** Legend name of a single curve. Default 'ROC'. */
  name?: string;
  title?: string;
  /** Width in pixels. Default 440. */
  width?: number;
  /** Height in pixels. Default: what makes the plot square. */
  height?: number;
  /** Point markers (with data-x / data-y) on curves of at most this many points. Default 500. */
  maxMarkers?: number;
}

/** Markers and lines used for reference lines (chance diagonal, threshold). */
const REFERENCE_COLOUR = '#4b5563';

function isCurveList(
  input: readonly RocPoint[] | readonly NamedRocCurve[],
): input is readonly NamedRocCurve[] {
  return input.length > 0 && input[0] !== null && typeof input[0] === 'object' && 'points' in input[0];
}

function isComputedCurve(input: unknown): input is ComputedRocCurve {
  const curve = input as Partial<ComputedRocCurve> | null;
  return (
    typeof curve === 'object' &&
    curve !== null &&
    !Array.isArray(curve) &&
    typeof curve.falsePositiveRate?.length === 'number' &&
    typeof curve.truePositiveRate?.length === 'number'
  );
}

/** A computed curve's points, after checking that its two rate arrays match. */
function pointsOf(where: string, curve: ComputedRocCurve, index: number): RocPoint[] {
  const { falsePositiveRate, truePositiveRate } = curve;
  if (falsePositiveRate.length !== truePositiveRate.length) {
    throw new Error(
      `${where}: curve ${index} has ${falsePositiveRate.length} false positive rates but ` +
        `${truePositiveRate.length} true positive rates; they must pair up.`,
    );
  }
  return Array.from(falsePositiveRate, (x, i) => ({
    falsePositiveRate: x,
    truePositiveRate: truePositiveRate[i],
  }));
}

/**
 * Draws ROC curves (true positive rate against false positive rate, both in [0, 1]) with the chance diagonal,
 * dashed. Pass one curve (with `{ auc }` in the options to show it) or several named curves; a curve is its points
 * or what `rocCurve` of `@vae/metrics` returns, drawn as it is (`rocCurveSvg(rocCurve(scores, labels))`). Points are
 * sorted by false positive rate (then true positive rate) and joined by a polyline; curves of at most
 * `maxMarkers` points also get `<circle>` markers with `data-x` (false positive rate) and `data-y` (true positive
 * rate). Points with non-finite rates are skipped; rates outside [0, 1] are an error.
 */
export function rocCurveSvg(
  input: readonly RocPoint[] | ComputedRocCurve | readonly NamedRocCurve[],
  options: RocCurveOptions = {},
): string {
  const where = 'rocCurveSvg';
  if (!Array.isArray(input) && !isComputedCurve(input)) {
    throw new Error(
      `${where}: pass an array of { falsePositiveRate, truePositiveRate }, a curve from rocCurve, or an array of ` +
        '{ name, points, auc? }.',
    );
  }
  const curves: NamedRocCurve[] = isComputedCurve(input)
    ? [{ name: options.name ?? 'ROC', points: input, auc: options.auc }]
    : isCurveList(input)
      ? [...input]
      : [{ name: options.name ?? 'ROC', points: input as readonly RocPoint[], auc: options.auc }];
  const prepared = curves.map((curve, index) => {
    if (
      curve === null ||
      typeof curve !== 'object' ||
      !(Array.isArray(curve.points) || isComputedCurve(curve.points))
    ) {
      throw new Error(`${where}: curve ${index} must be { name, points: [...], auc? }.`);
    }
    const given = isComputedCurve(curve.points) ? pointsOf(where, curve.points, index) : curve.points;
    const points = given
      .map((point, i): [number, number] => {
        if (point === null || typeof point !== 'object') {
          throw new Error(
            `${where}: point ${i} of curve ${index} must be { falsePositiveRate, truePositiveRate }.`,
          );
        }
        return [point.falsePositiveRate, point.truePositiveRate];
      })
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    for (const [x, y] of points) {
      if (x < 0 || x > 1 || y < 0 || y > 1) {
        throw new Error(`${where}: rates must lie in [0, 1], got (${x}, ${y}) in curve ${index}.`);
      }
    }
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const base = String(curve.name ?? `curve ${index + 1}`);
    const auc = curve.auc;
    if (auc !== undefined && !Number.isFinite(auc)) {
      throw new Error(`${where}: auc must be a finite number, got ${auc}.`);
    }
    const name = auc === undefined ? base : `${base} (AUC = ${auc.toFixed(3)})`;
    return { name, points, auc, colour: categoricalColour(index) };
  });
  const width = options.width ?? 440;
  const title = options.title;
  // The frame's margins: 58 px left of the plot, 16 right, 52 below, 16 or 44 above.
  const height = options.height ?? Math.max(120, Math.round(width - 74 + 52 + (title ? 44 : 16)));
  const legend: LegendEntry[] = prepared.map((curve) => ({
    name: curve.name,
    colour: curve.colour,
    kind: 'line',
  }));
  legend.push({ name: 'chance', colour: REFERENCE_COLOUR, kind: 'dash' });
  const frame = openFrame({
    where,
    width,
    height,
    title,
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    xBounds: [0, 1],
    yBounds: [0, 1],
    legend,
    legendPlacement: 'inside',
  });
  const { out, toX, toY } = frame;
  out.push(
    `<line class="chance" x1="${px(toX(0))}" y1="${px(toY(0))}" x2="${px(toX(1))}" y2="${px(toY(1))}"` +
      ` stroke="${REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  if (prepared.every((curve) => curve.points.length === 0)) frameNote(frame, 'No data');
  const maxMarkers = options.maxMarkers ?? 500;
  for (const curve of prepared) {
    const name = escapeText(curve.name);
    const auc = curve.auc === undefined ? '' : ` data-auc="${curve.auc}"`;
    out.push(`<g class="curve" data-name="${name}"${auc}>`);
    const coordinates = curve.points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ');
    out.push(
      `<polyline points="${coordinates}" fill="none" stroke="${curve.colour}" stroke-width="2"` +
        ' stroke-linejoin="round"/>',
    );
    if (curve.points.length <= maxMarkers) {
      for (const [x, y] of curve.points) {
        out.push(
          `<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="2.5" fill="${curve.colour}" data-x="${x}"` +
            ` data-y="${y}"><title>FPR ${formatNumber(x)}, TPR ${formatNumber(y)}</title></circle>`,
        );
      }
    }
    out.push('</g>');
  }
  return closeFrame(frame);
}

/** A named set of values, drawn as one colour of bars. */
export interface HistogramGroup {
  name: string;
  values: ArrayLike<number>;
}

export interface HistogramOptions {
  /** Bins of equal width over the range. Default 30. */
  bins?: number;
  /** Range of the bins. Default: the values' min and max (and the threshold's). Values outside are left out. */
  range?: [number, number];
  /** A vertical dashed line, e.g. an anomaly score's decision threshold. */
  threshold?: number;
  /** Legend name of the threshold line. Default 'threshold'. */
  thresholdLabel?: string;
  /** Draw each group's fraction of its values per bin instead of counts, so groups of any size compare. */
  normalize?: boolean;
  title?: string;
  xLabel?: string;
  /** Default 'count', or 'fraction' when normalized. */
  yLabel?: string;
  /** Width in pixels. Default 640. */
  width?: number;
  /** Height in pixels. Default 360. */
  height?: number;
}

function isGroupList(
  input: ArrayLike<number> | readonly HistogramGroup[],
): input is readonly HistogramGroup[] {
  return Array.isArray(input) && input.length > 0 && input[0] !== null && typeof input[0] === 'object';
}

/**
 * Histograms of one or more groups of values (e.g. anomaly scores of normal and anomalous examples) over shared,
 * equal-width bins, drawn as translucent overlapping bars, with an optional threshold line. Each non-empty bar is a
 * `<rect class="bar">` with `data-group`, `data-x0` / `data-x1` (the bin's edges; the last bin includes its right
 * edge), `data-count` and `data-y` (the drawn height: count, or fraction when normalized); the threshold is a
 * `<line class="threshold">` with `data-x`. Non-finite values are skipped.
 */
export function histogramSvg(
  input: ArrayLike<number> | readonly HistogramGroup[],
  options: HistogramOptions = {},
): string {
  const where = 'histogramSvg';
  if (
    input === null ||
    typeof input !== 'object' ||
    typeof (input as ArrayLike<number>).length !== 'number'
  ) {
    throw new Error(`${where}: pass an array of numbers or of groups { name, values }.`);
  }
  const named = isGroupList(input);
  const groups: HistogramGroup[] = named
    ? [...input]
    : [{ name: 'values', values: input as ArrayLike<number> }];
  groups.forEach((group, i) => {
    if (group === null || typeof group !== 'object' || typeof group.values?.length !== 'number') {
      throw new Error(`${where}: group ${i} must be { name, values: [numbers] }.`);
    }
  });
  const bins = options.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`${where}: bins must be a positive integer, got ${bins}.`);
  }
  const { threshold } = options;
  if (threshold !== undefined && !Number.isFinite(threshold)) {
    throw new Error(`${where}: threshold must be a finite number, got ${threshold}.`);
  }
  const finite = groups.map((group) => Array.from(group.values).filter(Number.isFinite));
  let range = options.range;
  if (range !== undefined) {
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every(Number.isFinite) ||
      !(range[0] < range[1])
    ) {
      throw new Error(
        `${where}: range must be [low, high] with finite low < high, got ${JSON.stringify(range)}.`,
      );
    }
  } else {
    const bounds = extent([...finite.flat(), ...(threshold === undefined ? [] : [threshold])]) ?? [0, 1];
    range = bounds[0] === bounds[1] ? [bounds[0] - 0.5, bounds[1] + 0.5] : bounds;
  }
  const [low, high] = range;
  const binWidth = (high - low) / bins;
  const counts = finite.map((values) => {
    const histogram = new Array<number>(bins).fill(0);
    for (const value of values) {
      if (value < low || value > high) continue;
      histogram[Math.min(bins - 1, Math.floor((value - low) / binWidth))] += 1;
    }
    return histogram;
  });
  const normalize = options.normalize === true;
  const heights = counts.map((histogram, g) => {
    const total = finite[g].length;
    return histogram.map((count) => (normalize ? (total > 0 ? count / total : 0) : count));
  });
  const tallest = Math.max(0, ...heights.flat());
  const colours = groups.map((_, g) => categoricalColour(g));
  const thresholdName = options.thresholdLabel ?? 'threshold';
  const legend: LegendEntry[] = named
    ? groups.map((group, g) => ({
        name: String(group.name ?? `group ${g + 1}`),
        colour: colours[g],
        kind: 'box',
      }))
    : [];
  if (threshold !== undefined) {
    legend.push({ name: `${thresholdName} = ${formatNumber(threshold)}`, colour: TEXT_COLOUR, kind: 'dash' });
  }
  const frame = openFrame({
    where,
    width: options.width ?? 640,
    height: options.height ?? 360,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel ?? (normalize ? 'fraction' : 'count'),
    xBounds: [low, high],
    yBounds: [0, tallest > 0 ? tallest * 1.05 : 1],
    legend,
  });
  const { out, toX, toY } = frame;
  if (finite.every((values) => values.length === 0)) frameNote(frame, 'No data');
  groups.forEach((group, g) => {
    const name = escapeText(String(group.name ?? `group ${g + 1}`));
    out.push(`<g class="group" data-name="${name}">`);
    counts[g].forEach((count, b) => {
      if (count === 0) return;
      const x0 = low + b * binWidth;
      const x1 = b === bins - 1 ? high : low + (b + 1) * binWidth;
      const y = heights[g][b];
      const left = toX(x0);
      const top = toY(y);
      out.push(
        `<rect class="bar" x="${px(left)}" y="${px(top)}" width="${px(toX(x1) - left)}"` +
          ` height="${px(toY(0) - top)}" fill="${colours[g]}" fill-opacity="0.55" stroke="${colours[g]}"` +
          ` stroke-width="0.75" data-group="${name}" data-x0="${x0}" data-x1="${x1}" data-count="${count}"` +
          ` data-y="${y}"><title>${name}: ${count} in [${formatNumber(x0)}, ${formatNumber(x1)}]</title></rect>`,
      );
    });
    out.push('</g>');
  });
  const visible =
    threshold !== undefined && toX(threshold) >= frame.left - 0.5 && toX(threshold) <= frame.right + 0.5;
  if (threshold !== undefined && visible) {
    const x = px(toX(threshold));
    out.push(
      `<line class="threshold" x1="${x}" x2="${x}" y1="${px(frame.top)}" y2="${px(frame.bottom)}"` +
        ` stroke="${TEXT_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4" data-x="${threshold}"/>`,
    );
    out.push(
      `<text x="${px(toX(threshold) + 4)}" y="${px(frame.top + 12)}" fill="${MUTED_COLOUR}">` +
        `${escapeText(formatNumber(threshold))}</text>`,
    );
  }
  return closeFrame(frame);
}
