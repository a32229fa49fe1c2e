/** Scatter plots of 2-D points (latent codes or their projections) coloured by class, as SVG strings. */
import { categoricalColour, closeFrame, extent, frameNote, type LegendEntry, openFrame, px } from './frame';
import { escapeText, formatNumber } from './text';

export interface ScatterOptions {
  /** `[x, y]` per point (extra coordinates are ignored). Points with a non-finite coordinate are skipped. */
  points: ArrayLike<ArrayLike<number>>;
  /** A class per point (integers or strings), colouring the points and listed in the legend. */
  labels?: ArrayLike<number | string>;
  /** Legend names of integer labels: label `k` is shown as `classNames[k]`. */
  classNames?: readonly string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Width in pixels. Default 560. */
  width?: number;
  /** Height in pixels. Default 440. */
  height?: number;
  /** Marker radius in pixels. Default 3.5, smaller for many points. */
  radius?: number;
  /** Marker opacity in (0, 1]. Default 0.75, lower for many points. */
  opacity?: number;
}

/** Points of at most this many get a hover `<title>` each; larger plots stay lean. */
const MAX_TITLED_POINTS = 1000;

/**
 * Draws points as a scatter plot, coloured by `labels` with a legend (classes in ascending order for integer
 * labels, in order of first appearance for strings, named through `classNames`). Points are drawn in input
 * order, so shuffled input shows no class on top of another by construction. Each marker is a `<circle>` with
 * `data-x`, `data-y` and `data-label` (the raw label); the legend entries carry the class names. Returns a
 * standalone `<svg>` element as a string.
 */
export function scatterSvg(options: ScatterOptions): string {
  const where = 'scatterSvg';
  if (options === null || typeof options !== 'object' || typeof options.points?.length !== 'number') {
    throw new Error(`${where}: pass { points: [[x, y], ...], labels?, classNames? }.`);
  }
  const { points, labels, classNames } = options;
  if (labels !== undefined && labels.length !== points.length) {
    throw new Error(
      `${where}: ${labels.length} labels for ${points.length} points; give one label per point (or none).`,
    );
  }
  const kept: Array<{ x: number; y: number; label?: number | string }> = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (point === null || typeof point !== 'object' || typeof point.length !== 'number' || point.length < 2) {
      throw new Error(`${where}: point ${i} must be an [x, y] pair, got ${point}.`);
    }
    const x = Number(point[0]);
    const y = Number(point[1]);
    if (Number.isFinite(x) && Number.isFinite(y)) kept.push({ x, y, label: labels?.[i] });
  }

  // Classes and their colours.
  const classes: Array<number | string> = [];
  if (labels !== undefined) {
    const seen = new Set<number | string>();
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (typeof label !== 'number' && typeof label !== 'string') {
        throw new Error(`${where}: label ${i} must be a number or a string, got ${label}.`);
      }
      if (!seen.has(label)) {
        seen.add(label);
        classes.push(label);
      }
    }
    if (classes.every((label) => typeof label === 'number')) {
      (classes as number[]).sort((a, b) => a - b);
    }
  }
  const colourOf = new Map(classes.map((label, i) => [label, categoricalColour(i)]));
  const nameOf = (label: number | string) =>
    typeof label === 'number' && classNames?.[label] !== undefined
      ? String(classNames[label])
      : String(label);
  const legend: LegendEntry[] = classes.map((label) => ({
    name: nameOf(label),
    colour: colourOf.get(label)!,
    kind: 'dot',
  }));

  const frame = openFrame({
    where,
    width: options.width ?? 560,
    height: options.height ?? 440,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    xBounds: extent(kept.map((point) => point.x)) ?? [0, 1],
    yBounds: extent(kept.map((point) => point.y)) ?? [0, 1],
    legend,
  });
  const { out, toX, toY } = frame;
  if (kept.length === 0) frameNote(frame, 'No data');
  const many = kept.length > 2000;
  const radius = options.radius ?? (many ? 1.75 : kept.length > 300 ? 2.5 : 3.5);
  const opacity = options.opacity ?? (many ? 0.6 : 0.75);
  if (!(radius > 0) || !(opacity > 0 && opacity <= 1)) {
    throw new Error(`${where}: radius must be > 0 and opacity in (0, 1], got ${radius} and ${opacity}.`);
  }
  const titled = kept.length <= MAX_TITLED_POINTS;
  out.push(`<g class="points" fill-opacity="${opacity}">`);
  for (const { x, y, label } of kept) {
    const colour = label === undefined ? categoricalColour(0) : colourOf.get(label)!;
    const data = label === undefined ? '' : ` data-label="${escapeText(label)}"`;
    const title = titled
      ? `<title>${label === undefined ? '' : `${escapeText(nameOf(label))}: `}(${formatNumber(x)}, ${formatNumber(y)})</title>`
      : '';
    out.push(
      `<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="${radius}" fill="${colour}" data-x="${x}" data-y="${y}"` +
        `${data}>${title}</circle>`,
    );
  }
  out.push('</g>');
  return closeFrame(frame);
}
