/**
 * The frame shared by the SVG charts: the `<svg>` element, title, grid lines, nice tick labels, axes, axis labels
 * and legend. Charts open a frame, draw their marks with its coordinate maps and close it. No ids or `<defs>` are
 * used, so any number of charts can be inlined into one HTML page.
 */
import { escapeText } from './text';

/** Colour-blind-friendly categorical palette (Tableau 10); more entries get golden-angle hues. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour of the `index`-th series or class. */
export function categoricalColour(index: number): string {
  if (index < PALETTE.length) return PALETTE[index];
  return `hsl(${Math.round((index * 137.508) % 360)}, 60%, 45%)`;
}

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
export const TEXT_COLOUR = '#111827';
export const MUTED_COLOUR = '#6b7280';

export interface Axis {
  low: number;
  high: number;
  ticks: number[];
  labels: string[];
}

/**
 * A "nice" axis over [min, max]: a step of 1, 2 or 5 times a power of ten giving about `target` intervals, and
 * bounds rounded out to whole steps. Equal min and max are widened first.
 */
export function niceAxis(min: number, max: number, target = 5): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`niceAxis: expected finite min <= max, got ${min} and ${max}.`);
  }
  if (!Number.isFinite(max - min)) {
    throw new Error(`niceAxis: the range ${min} to ${max} is too large to draw; rescale the values.`);
  }
  if (min === max) {
    const delta = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= delta;
    max += delta;
  }
  const raw = (max - min) / target;
  const exponent = Math.floor(Math.log10(raw));
  const fraction = raw / 10 ** exponent;
  // Thresholds at the geometric midpoints between 1, 2, 5 and 10.
  const nice = fraction < Math.SQRT2 ? 1 : fraction < Math.sqrt(10) ? 2 : fraction < Math.sqrt(50) ? 5 : 10;
  const step = nice * 10 ** exponent;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const clean = (value: number) =>
    decimals <= 20 ? Number(value.toFixed(decimals)) : Number(value.toPrecision(12));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(clean(i * step));
  const largest = Math.max(Math.abs(ticks[0]), Math.abs(ticks[ticks.length - 1]));
  const plain = decimals <= 6 && largest < 1e9;
  const labels = ticks.map((tick) => (plain ? tick.toFixed(decimals) : String(Number(tick.toPrecision(6)))));
  return { low: ticks[0], high: ticks[ticks.length - 1], ticks, labels };
}

/** Rounds a pixel coordinate to 2 decimals to keep the SVG small. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Rough width of a label in `size` px sans-serif, for layout. */
export function labelWidth(text: string, size = 12): number {
  return text.length * size * 0.6;
}

/** Shortens long legend names; the full name stays in a `<title>`. */
export function shortName(name: string, length = 28): string {
  return name.length > length ? `${name.slice(0, length - 1)}…` : name;
}

/** The `[min, max]` of finite values, or undefined when there are none. */
export function extent(values: Iterable<number>): [number, number] | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? [min, max] : undefined;
}

/** A legend row: a swatch in the series' colour and its name. */
export interface LegendEntry {
  name: string;
  colour: string;
  /** Swatch: a short line, a dashed line, a dot or a filled box. */
  kind: 'line' | 'dash' | 'dot' | 'box';
}

export interface FrameOptions {
  /** The function's name, for error messages. */
  where: string;
  width: number;
  height: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Data bounds of the x axis; rounded out to nice ticks. */
  xBounds: [number, number];
  yBounds: [number, number];
  legend: LegendEntry[];
  /** Right of the plot (default), or in a box in the plot's bottom-right corner. */
  legendPlacement?: 'right' | 'inside';
  /** Draw as a nested `<svg>` at this offset inside another chart (no xmlns). */
  offset?: { x: number; y: number };
}

export interface Frame {
  out: string[];
  toX: (x: number) => number;
  toY: (y: number) => number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  options: FrameOptions;
}

export function checkSize(where: string, label: string, value: number, minimum: number): void {
  if (!Number.isFinite(value) || value < minimum) {
    throw new Error(`${where}: ${label} must be a number of pixels >= ${minimum}, got ${value}.`);
  }
}

const LEGEND_ROW = 20;

/** Opens a chart: writes the `<svg>` element, background, title, grid, ticks, axes and axis labels. */
export function openFrame(options: FrameOptions): Frame {
  const { where, width, height, title, xLabel, yLabel, legend } = options;
  checkSize(where, 'width', width, 160);
  checkSize(where, 'height', height, 120);
  const xAxis = niceAxis(...options.xBounds, Math.max(2, Math.min(8, Math.floor(width / 90))));
  const yAxis = niceAxis(...options.yBounds, Math.max(2, Math.min(8, Math.floor(height / 60))));
  const inside = options.legendPlacement === 'inside';
  const legendWidth =
    legend.length === 0 || inside
      ? 0
      : Math.min(220, Math.max(...legend.map((entry) => labelWidth(shortName(entry.name)))) + 40);
  const left = Math.max(...yAxis.labels.map((label) => labelWidth(label))) + 14 + (yLabel ? 22 : 0);
  const right = width - (legendWidth + 16);
  const top = title ? 44 : 16;
  const bottom = height - (30 + (xLabel ? 22 : 0));
  if (right - left < 40 || bottom - top < 40) {
    throw new Error(
      `${where}: ${width} x ${height} pixels leave no room for the plot; pass a larger width or height.`,
    );
  }
  const toX = (x: number) => left + ((x - xAxis.low) / (xAxis.high - xAxis.low)) * (right - left);
  const toY = (y: number) => bottom - ((y - yAxis.low) / (yAxis.high - yAxis.low)) * (bottom - top);

  const out: string[] = [];
  const label = title ? ` aria-label="${escapeText(title)}"` : '';
  const position = options.offset
    ? `x="${px(options.offset.x)}" y="${px(options.offset.y)}"`
    : 'xmlns="http://www.w3.org/2000/svg"';
  out.push(
    `<svg ${position} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ` role="img"${label} font-family="${FONT_FAMILY}" font-size="12">`,
  );
  if (title) out.push(`<title>${escapeText(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) {
    out.push(
      `<text x="${px(left)}" y="26" font-size="15" font-weight="600" fill="${TEXT_COLOUR}">${escapeText(title)}</text>`,
    );
  }
  out.push('<g class="grid" stroke="#e5e7eb" stroke-width="1">');
  for (const tick of yAxis.ticks) {
    out.push(`<line x1="${px(left)}" x2="${px(right)}" y1="${px(toY(tick))}" y2="${px(toY(tick))}"/>`);
  }
  for (const tick of xAxis.ticks) {
    out.push(`<line x1="${px(toX(tick))}" x2="${px(toX(tick))}" y1="${px(top)}" y2="${px(bottom)}"/>`);
  }
  out.push('</g>');
  out.push('<g class="ticks" fill="#4b5563">');
  yAxis.ticks.forEach((tick, i) => {
    out.push(
      `<text x="${px(left - 8)}" y="${px(toY(tick) + 4)}" text-anchor="end">${yAxis.labels[i]}</text>`,
    );
  });
  xAxis.ticks.forEach((tick, i) => {
    out.push(
      `<text x="${px(toX(tick))}" y="${px(bottom + 18)}" text-anchor="middle">${xAxis.labels[i]}</text>`,
    );
  });
  out.push('</g>');
  out.push(
    `<g class="axes" stroke="${MUTED_COLOUR}" stroke-width="1">` +
      `<line x1="${px(left)}" x2="${px(right)}" y1="${px(bottom)}" y2="${px(bottom)}"/>` +
      `<line x1="${px(left)}" x2="${px(left)}" y1="${px(top)}" y2="${px(bottom)}"/></g>`,
  );
  if (xLabel) {
    out.push(
      `<text x="${px((left + right) / 2)}" y="${px(height - 8)}" text-anchor="middle" fill="${TEXT_COLOUR}">` +
        `${escapeText(xLabel)}</text>`,
    );
  }
  if (yLabel) {
    out.push(
      `<text transform="translate(16 ${px((top + bottom) / 2)}) rotate(-90)" text-anchor="middle"` +
        ` fill="${TEXT_COLOUR}">${escapeText(yLabel)}</text>`,
    );
  }
  return { out, toX, toY, left, right, top, bottom, options };
}

/** Writes a centred note (such as 'No data') in the plot. */
export function frameNote(frame: Frame, text: string): void {
  frame.out.push(
    `<text x="${px((frame.left + frame.right) / 2)}" y="${px((frame.top + frame.bottom) / 2)}"` +
      ` text-anchor="middle" fill="${MUTED_COLOUR}">${escapeText(text)}</text>`,
  );
}

function swatch(entry: LegendEntry, x: number, y: number): string {
  switch (entry.kind) {
    case 'dot':
      return `<circle cx="${px(x + 8)}" cy="${px(y - 4)}" r="4" fill="${entry.colour}"/>`;
    case 'box':
      return `<rect x="${px(x + 2)}" y="${px(y - 10)}" width="12" height="12" fill="${entry.colour}" fill-opacity="0.6" stroke="${entry.colour}"/>`;
    case 'dash':
      return `<line x1="${px(x)}" x2="${px(x + 16)}" y1="${px(y - 4)}" y2="${px(y - 4)}" stroke="${entry.colour}" stroke-width="2" stroke-dasharray="4 3"/>`;
    default:
      return `<rect x="${px(x)}" y="${px(y - 5)}" width="16" height="4" rx="2" fill="${entry.colour}"/>`;
  }
}

/** Writes the legend, closes the `<svg>` and returns the chart as a string. */
export function closeFrame(frame: Frame): string {
  const { out, options } = frame;
  const legend = options.legend;
  out.push('<g class="legend">');
  if (legend.length > 0) {
    const inside = options.legendPlacement === 'inside';
    const maxRows = Math.max(1, Math.floor((frame.bottom - frame.top - 8) / LEGEND_ROW));
    const shown = legend.length > maxRows ? legend.slice(0, maxRows - 1) : legend;
    const hidden = legend.length - shown.length;
    const rows = shown.length + (hidden > 0 ? 1 : 0);
    let x = frame.right + 16;
    let y = frame.top + 8;
    if (inside) {
      const boxWidth = Math.max(...shown.map((entry) => labelWidth(shortName(entry.name)))) + 40;
      const boxHeight = rows * LEGEND_ROW + 6;
      const boxLeft = frame.right - boxWidth - 8;
      const boxTop = frame.bottom - boxHeight - 8;
      out.push(
        `<rect x="${px(boxLeft)}" y="${px(boxTop)}" width="${px(boxWidth)}" height="${px(boxHeight)}" rx="4"` +
          ` fill="#ffffff" fill-opacity="0.9" stroke="#e5e7eb"/>`,
      );
      x = boxLeft + 10;
      y = boxTop + 18;
    }
    shown.forEach((entry, i) => {
      const rowY = y + i * LEGEND_ROW;
      out.push(
        swatch(entry, x, rowY) +
          `<text x="${px(x + 22)}" y="${px(rowY)}" fill="${TEXT_COLOUR}"><title>${escapeText(entry.name)}</title>` +
          `${escapeText(shortName(entry.name))}</text>`,
      );
    });
    if (hidden > 0) {
      out.push(
        `<text x="${px(x + 22)}" y="${px(y + shown.length * LEGEND_ROW)}" fill="${MUTED_COLOUR}">` +
          `… ${hidden} more</text>`,
      );
    }
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
