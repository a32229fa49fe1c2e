/** Line charts as self-contained SVG strings (no DOM, no fonts or scripts to load). */
import { escapeText } from './text';

export interface LineSeries {
  /** Legend entry. */
  name: string;
  /** `[x, y]` pairs, drawn in the given order. Pairs with a non-finite coordinate are skipped. */
  points: Array<[number, number]>;
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

/** Colour-blind-friendly categorical palette (Tableau 10); more series get golden-angle hues. */
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

/** The colour of the `index`-th series. */
function seriesColour(index: number): string {
  if (index < PALETTE.length) return PALETTE[index];
  return `hsl(${Math.round((index * 137.508) % 360)}, 60%, 45%)`;
}

interface Axis {
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
function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Rough width of a label in 12 px sans-serif, for layout. */
function textWidth(text: string, size = 12): number {
  return text.length * size * 0.6;
}

function checkSize(label: string, value: number, minimum: number): void {
  if (!Number.isFinite(value) || value < minimum) {
    throw new Error(`lineChartSvg: ${label} must be a number of pixels >= ${minimum}, got ${value}.`);
  }
}

/**
 * Draws series of `[x, y]` points as a line chart: axes with nice tick values, one polyline plus point markers
 * per series in distinct colours, and a legend. Each marker is a `<circle>` with `data-x` / `data-y` holding the
 * exact input values. Points with a non-finite coordinate are skipped; a single point or a constant series gets
 * a widened axis. All text is escaped. Returns a standalone `<svg>` element as a string.
 */
export function lineChartSvg(options: LineChartOptions): string {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.series)) {
    throw new Error('lineChartSvg: pass { series: [{ name, points: [[x, y], ...] }, ...] }.');
  }
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  checkSize('width', width, 160);
  checkSize('height', height, 120);
  const series = options.series.map((entry, index) => {
    if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.points)) {
      throw new Error(`lineChartSvg: series ${index} must be { name, points: [[x, y], ...] }.`);
    }
    const points = entry.points.filter((point, i) => {
      if (!Array.isArray(point)) {
        throw new Error(`lineChartSvg: point ${i} of series ${index} must be an [x, y] pair, got ${point}.`);
      }
      return Number.isFinite(point[0]) && Number.isFinite(point[1]);
    });
    const name = String(entry.name ?? `series ${index + 1}`);
    const shortName = name.length > 28 ? `${name.slice(0, 27)}…` : name;
    return { name, shortName, points, colour: seriesColour(index) };
  });

  const all = series.flatMap((entry) => entry.points);
  const bounds = (axis: 0 | 1): [number, number] => {
    if (all.length === 0) return [0, 1];
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const point of all) {
      min = Math.min(min, point[axis]);
      max = Math.max(max, point[axis]);
    }
    return [min, max];
  };
  const xAxis = niceAxis(...bounds(0), Math.max(2, Math.min(8, Math.floor(width / 90))));
  const yAxis = niceAxis(...bounds(1), Math.max(2, Math.min(8, Math.floor(height / 60))));

  const { title, xLabel, yLabel } = options;
  const legendWidth =
    series.length === 0
      ? 0
      : Math.min(220, Math.max(...series.map((entry) => textWidth(entry.shortName))) + 40);
  const left = Math.max(...yAxis.labels.map((label) => textWidth(label))) + 14 + (yLabel ? 22 : 0);
  const right = legendWidth + 16;
  const top = title ? 44 : 16;
  const bottom = 30 + (xLabel ? 22 : 0);
  const plotLeft = left;
  const plotRight = width - right;
  const plotTop = top;
  const plotBottom = height - bottom;
  if (plotRight - plotLeft < 40 || plotBottom - plotTop < 40) {
    throw new Error(
      `lineChartSvg: ${width} x ${height} pixels leave no room for the plot; pass a larger width or height.`,
    );
  }
  const toX = (x: number) => plotLeft + ((x - xAxis.low) / (xAxis.high - xAxis.low)) * (plotRight - plotLeft);
  const toY = (y: number) =>
    plotBottom - ((y - yAxis.low) / (yAxis.high - yAxis.low)) * (plotBottom - plotTop);

  const out: string[] = [];
  const label = title ? ` aria-label="${escapeText(title)}"` : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ` role="img"${label} font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"` +
      ` font-size="12">`,
  );
  if (title) out.push(`<title>${escapeText(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) {
    out.push(
      `<text x="${px(plotLeft)}" y="26" font-size="15" font-weight="600" fill="#111827">${escapeText(title)}</text>`,
    );
  }

  // Grid lines and tick labels.
  out.push('<g class="grid" stroke="#e5e7eb" stroke-width="1">');
  for (const tick of yAxis.ticks) {
    out.push(
      `<line x1="${px(plotLeft)}" x2="${px(plotRight)}" y1="${px(toY(tick))}" y2="${px(toY(tick))}"/>`,
    );
  }
  for (const tick of xAxis.ticks) {
    out.push(
      `<line x1="${px(toX(tick))}" x2="${px(toX(tick))}" y1="${px(plotTop)}" y2="${px(plotBottom)}"/>`,
    );
  }
  out.push('</g>');
  out.push('<g class="ticks" fill="#4b5563">');
  yAxis.ticks.forEach((tick, i) => {
    out.push(
      `<text x="${px(plotLeft - 8)}" y="${px(toY(tick) + 4)}" text-anchor="end">${yAxis.labels[i]}</text>`,
    );
  });
  xAxis.ticks.forEach((tick, i) => {
    out.push(
      `<text x="${px(toX(tick))}" y="${px(plotBottom + 18)}" text-anchor="middle">${xAxis.labels[i]}</text>`,
    );
  });
  out.push('</g>');
  out.push(
    `<g class="axes" stroke="#6b7280" stroke-width="1">` +
      `<line x1="${px(plotLeft)}" x2="${px(plotRight)}" y1="${px(plotBottom)}" y2="${px(plotBottom)}"/>` +
      `<line x1="${px(plotLeft)}" x2="${px(plotLeft)}" y1="${px(plotTop)}" y2="${px(plotBottom)}"/></g>`,
  );
  if (xLabel) {
    out.push(
      `<text x="${px((plotLeft + plotRight) / 2)}" y="${px(height - 8)}" text-anchor="middle" fill="#111827">` +
        `${escapeText(xLabel)}</text>`,
    );
  }
  if (yLabel) {
    out.push(
      `<text transform="translate(16 ${px((plotTop + plotBottom) / 2)}) rotate(-90)" text-anchor="middle"` +
        ` fill="#111827">${escapeText(yLabel)}</text>`,
    );
  }
  if (all.length === 0) {
    out.push(
      `<text x="${px((plotLeft + plotRight) / 2)}" y="${px((plotTop + plotBottom) / 2)}" text-anchor="middle"` +
        ` fill="#6b7280">No data</text>`,
    );
  }

  // Series: a polyline and a marker per point.
  for (const entry of series) {
    const name = escapeText(entry.name);
    const radius = entry.points.length > 200 ? 1.5 : 3;
    const coordinates = entry.points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ');
    out.push(`<g class="series" data-name="${name}">`);
    out.push(
      `<polyline points="${coordinates}" fill="none" stroke="${entry.colour}" stroke-width="2"` +
        ` stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    for (const [x, y] of entry.points) {
      out.push(
        `<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="${radius}" fill="${entry.colour}"` +
          ` data-x="${x}" data-y="${y}"><title>${name}: (${x}, ${y})</title></circle>`,
      );
    }
    out.push('</g>');
  }

  // Legend, right of the plot.
  out.push('<g class="legend">');
  series.forEach((entry, i) => {
    const y = plotTop + 8 + i * 20;
    const x = plotRight + 16;
    out.push(
      `<rect x="${px(x)}" y="${px(y - 5)}" width="16" height="4" rx="2" fill="${entry.colour}"/>` +
        `<text x="${px(x + 22)}" y="${px(y)}" fill="#111827"><title>${escapeText(entry.name)}</title>` +
        `${escapeText(entry.shortName)}</text>`,
    );
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
