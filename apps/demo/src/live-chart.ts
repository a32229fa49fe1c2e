/**
 * A line chart that grows point by point: hand-kept SVG nodes, built once. Each series is a `<polyline>` in data
 * coordinates inside a group whose transform maps them to the plot; a new point appends to the polyline's point
 * list, and a new y range changes one transform and the tick labels. Nothing is re-rendered wholesale, so the
 * page stays responsive while a worker trains. (The static charts of the report come from @vae/viz.)
 *
 * Hooks for tests: the container gets `data-points` (points of the first series).
 */

const SVG = 'http://www.w3.org/2000/svg';

export interface LiveSeries {
  name: string;
  colour: string;
}

export interface LiveChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The x range, known ahead (e.g. [0, epochs]). */
  xDomain: [number, number];
  series: LiveSeries[];
}

const WIDTH = 460;
const HEIGHT = 250;
const MARGIN = { left: 52, right: 12, top: 28, bottom: 40 };
const TICKS = 5;

function node<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const created = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) created.setAttribute(key, String(value));
  if (text !== undefined) created.textContent = text;
  return created;
}

/** A round step for about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

export class LiveChart {
  private readonly svg: SVGSVGElement;
  private readonly plot: SVGGElement;
  private readonly lines: SVGPolylineElement[] = [];
  private readonly markers: SVGCircleElement[] = [];
  private readonly yTicks: SVGGElement;
  private readonly xTicks: SVGGElement;
  private readonly counts: number[];
  private readonly last: ([number, number] | undefined)[];
  private xDomain: [number, number];
  private yDomain: [number, number] = [0, 1];
  private readonly plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  private readonly plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: LiveChartOptions,
  ) {
    this.xDomain = options.xDomain;
    this.counts = options.series.map(() => 0);
    this.last = options.series.map(() => undefined);
    this.svg = node('svg', {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': `${options.title}: ${options.yLabel} against ${options.xLabel}`,
    });
    this.svg.append(
      node('text', { x: MARGIN.left, y: 16, 'font-size': 13, 'font-weight': 600 }, options.title),
      node('rect', {
        x: MARGIN.left,
        y: MARGIN.top,
        width: this.plotWidth,
        height: this.plotHeight,
        fill: 'none',
        stroke: '#ced4da',
      }),
      node(
        'text',
        { x: MARGIN.left + this.plotWidth / 2, y: HEIGHT - 6, 'font-size': 11, 'text-anchor': 'middle' },
        options.xLabel,
      ),
      node(
        'text',
        {
          x: 12,
          y: MARGIN.top + this.plotHeight / 2,
          'font-size': 11,
          'text-anchor': 'middle',
          transform: `rotate(-90 12 ${MARGIN.top + this.plotHeight / 2})`,
        },
        options.yLabel,
      ),
    );
    this.yTicks = node('g', { 'font-size': 10, 'text-anchor': 'end' });
    this.xTicks = node('g', { 'font-size': 10, 'text-anchor': 'middle' });
    this.plot = node('g');
    const clip = `clip-${Math.random().toString(36).slice(2)}`;
    const clipPath = node('clipPath', { id: clip });
    clipPath.append(
      node('rect', { x: MARGIN.left, y: MARGIN.top, width: this.plotWidth, height: this.plotHeight }),
    );
    const clipped = node('g', { 'clip-path': `url(#${clip})` });
    clipped.append(this.plot);
    const legend = node('g', { 'font-size': 11 });
    options.series.forEach((series, index) => {
      const line = node('polyline', {
        fill: 'none',
        stroke: series.colour,
        'stroke-width': 1.5,
        'vector-effect': 'non-scaling-stroke',
        points: '',
      });
      line.append(node('title', {}, series.name));
      this.lines.push(line);
      this.plot.append(line);
      const marker = node('circle', { r: 3, fill: series.colour, visibility: 'hidden' });
      this.markers.push(marker);
      const x = WIDTH - MARGIN.right - 6;
      const y = MARGIN.top + 14 + index * 14;
      legend.append(
        node('rect', { x: x - 10, y: y - 8, width: 10, height: 3, fill: series.colour }),
        node('text', { x: x - 14, y: y - 4, 'text-anchor': 'end' }, series.name),
      );
    });
    this.svg.append(defsWith(clipPath), this.yTicks, this.xTicks, clipped, ...this.markers, legend);
    container.replaceChildren(this.svg);
    container.dataset.points = '0';
    this.drawXTicks();
    this.drawYTicks();
  }

  /** Adds points: `points[k]` are the new (x, y) of series k (may be empty). Redraws only what changed. */
  append(points: [number, number][][]): void {
    let yMax = this.yDomain[1];
    for (const series of points) for (const [, y] of series) if (Number.isFinite(y) && y > yMax) yMax = y;
    if (yMax > this.yDomain[1]) {
      const step = niceStep(yMax, TICKS);
      this.yDomain = [0, Math.ceil((yMax * 1.05) / step) * step];
      this.drawYTicks();
    }
    points.forEach((series, index) => {
      const line = this.lines[index];
      if (!line) return;
      for (const [x, y] of series) {
        if (!Number.isFinite(y)) continue;
        const point = this.svg.createSVGPoint();
        point.x = x;
        point.y = y;
        line.points.appendItem(point);
        this.last[index] = [x, y];
      }
      this.counts[index] += series.length;
    });
    this.placeMarkers();
    this.container.dataset.points = String(this.counts[0] ?? 0);
  }

  /** Empties the chart for a new run over `xDomain`. */
  reset(xDomain: [number, number] = this.xDomain): void {
    this.xDomain = xDomain;
    this.yDomain = [0, 1];
    for (const line of this.lines) line.points.clear();
    this.counts.fill(0);
    this.last.fill(undefined);
    this.drawXTicks();
    this.drawYTicks();
    this.placeMarkers();
    this.container.dataset.points = '0';
  }

  private toX(x: number): number {
    const [low, high] = this.xDomain;
    return MARGIN.left + ((x - low) / (high - low || 1)) * this.plotWidth;
  }

  private toY(y: number): number {
    const [low, high] = this.yDomain;
    return MARGIN.top + this.plotHeight - ((y - low) / (high - low || 1)) * this.plotHeight;
  }

  /** The data-to-plot transform of the polylines: one attribute, whatever the number of points. */
  private placePlot(): void {
    const [x0, x1] = this.xDomain;
    const [y0, y1] = this.yDomain;
    const sx = this.plotWidth / (x1 - x0 || 1);
    const sy = -this.plotHeight / (y1 - y0 || 1);
    this.plot.setAttribute(
      'transform',
      `translate(${MARGIN.left - x0 * sx} ${MARGIN.top + this.plotHeight - y0 * sy}) scale(${sx} ${sy})`,
    );
  }

  private placeMarkers(): void {
    this.markers.forEach((marker, index) => {
      const point = this.last[index];
      marker.setAttribute('visibility', point ? 'visible' : 'hidden');
      if (!point) return;
      marker.setAttribute('cx', this.toX(point[0]).toFixed(1));
      marker.setAttribute('cy', this.toY(point[1]).toFixed(1));
      marker.replaceChildren(node('title', {}, `${this.options.series[index].name}: ${point[1].toFixed(2)}`));
    });
  }

  private drawYTicks(): void {
    const [low, high] = this.yDomain;
    const step = niceStep(high - low, TICKS);
    const ticks: SVGElement[] = [];
    for (let value = low; value <= high + step / 1e6; value += step) {
      const y = this.toY(value);
      ticks.push(
        node('line', { x1: MARGIN.left - 4, x2: MARGIN.left, y1: y, y2: y, stroke: '#868e96' }),
        node('text', { x: MARGIN.left - 6, y: y + 3 }, String(Number(value.toPrecision(4)))),
      );
    }
    this.yTicks.replaceChildren(...ticks);
    this.placePlot();
    this.placeMarkers();
  }

  private drawXTicks(): void {
    const [low, high] = this.xDomain;
    const step = niceStep(high - low, TICKS);
    const ticks: SVGElement[] = [];
    for (let value = low; value <= high + step / 1e6; value += step) {
      const x = this.toX(value);
      const bottom = MARGIN.top + this.plotHeight;
      ticks.push(
        node('line', { x1: x, x2: x, y1: bottom, y2: bottom + 4, stroke: '#868e96' }),
        node('text', { x, y: bottom + 15 }, String(Number(value.toPrecision(4)))),
      );
    }
    this.xTicks.replaceChildren(...ticks);
    this.placePlot();
  }
}

function defsWith(child: SVGElement): SVGDefsElement {
  const defs = node('defs');
  defs.append(child);
  return defs;
}
