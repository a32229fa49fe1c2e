/** The 2-D latent map: a square of latent space [-range, range]^2 with a grid and the test set's codes. */
import type { Codes } from './assets';
import { ACCENT, CLASS_COLOURS } from './shared';

/** The move of an arrow key on a map (up is +z2), `step` latent units; undefined for other keys. */
export function arrowMove(key: string, step: number): [number, number] | undefined {
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
    ArrowUp: [0, step],
    ArrowDown: [0, -step],
  };
  return Object.hasOwn(moves, key) ? moves[key] : undefined;
}

/** The marker of a point on a map: an accent ring with a white halo, readable on light and dark tiles. */
export function drawRing(g: CanvasRenderingContext2D, x: number, y: number, radius: number): void {
  g.lineWidth = 3;
  g.strokeStyle = '#ffffff';
  g.beginPath();
  g.arc(x, y, radius, 0, 7);
  g.stroke();
  g.lineWidth = 2;
  g.strokeStyle = ACCENT;
  g.beginPath();
  g.arc(x, y, radius, 0, 7);
  g.stroke();
}

/** Half-width of the shown square of latent space: covers 99.5 % of the codes, rounded up to 0.5. */
export function mapRange(codes: Codes | undefined): number {
  if (!codes || codes.count === 0) return 3;
  const magnitudes: number[] = [];
  for (let i = 0; i < codes.count; i++) {
    const offset = i * codes.latentDim;
    magnitudes.push(Math.abs(codes.means[offset]), Math.abs(codes.means[offset + 1]));
  }
  magnitudes.sort((a, b) => a - b);
  const high = magnitudes[Math.floor(0.995 * (magnitudes.length - 1))];
  return Math.min(5, Math.max(2.5, Math.ceil(high * 2) / 2));
}

/**
 * Half-width of a square that holds `share` of the codes in both coordinates (the quantile of |z|), rounded up to a
 * tidy value: for maps whose scale is not the prior's (an autoencoder's codes can lie anywhere).
 */
export function coveringRange(codes: Codes, share = 0.99): number {
  const magnitudes: number[] = [];
  for (let i = 0; i < codes.count; i++) {
    const offset = i * codes.latentDim;
    magnitudes.push(Math.abs(codes.means[offset]), Math.abs(codes.means[offset + 1]));
  }
  if (magnitudes.length === 0) return 3;
  magnitudes.sort((a, b) => a - b);
  const high = Math.max(1e-3, magnitudes[Math.floor(share * (magnitudes.length - 1))]);
  const step = tickStep(high) / 2;
  return Math.ceil(high / step) * step;
}

/** Spacing of the grid lines: 1 up to a half-width of 6, then 1, 2 or 5 times a power of ten (about 4 a side). */
export function tickStep(range: number): number {
  if (range <= 6) return 1;
  const rough = range / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  return multiple * power;
}

export interface MapFrame {
  /** CSS pixels per side. */
  size: number;
  range: number;
}

/** Latent value to CSS pixel, x to the right and y downwards. */
export function toPixelX(frame: MapFrame, z: number): number {
  return ((z + frame.range) / (2 * frame.range)) * frame.size;
}
export function toPixelY(frame: MapFrame, z: number): number {
  return frame.size - toPixelX(frame, z);
}
export function fromPixel(frame: MapFrame, x: number, y: number): [number, number] {
  const scale = (2 * frame.range) / frame.size;
  return [x * scale - frame.range, (frame.size - y) * scale - frame.range];
}

export interface ScatterStyle {
  /** A class to bring forward (the others faded), or null. */
  highlighted?: number | null;
  /** Opacity of the points when nothing is highlighted. Default 0.7. */
  opacity?: number;
  /** Draw tick labels. Default true. */
  labels?: boolean;
}

/** Draws the background, grid, ticks and the codes coloured by class, in CSS pixels (set the transform first). */
export function drawScatter(
  g: CanvasRenderingContext2D,
  frame: MapFrame,
  codes: Codes | undefined,
  style: ScatterStyle = {},
): void {
  const { size, range } = frame;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, size, size);
  g.lineWidth = 1;
  const ticks: number[] = [];
  const step = tickStep(range);
  for (let tick = Math.ceil(-range / step) * step; tick <= range; tick += step) ticks.push(tick);
  for (const tick of ticks) {
    const x = Math.round(toPixelX(frame, tick)) + 0.5;
    const y = Math.round(toPixelY(frame, tick)) + 0.5;
    g.strokeStyle = tick === 0 ? '#c5ccd8' : '#eef1f5';
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, size);
    g.moveTo(0, y);
    g.lineTo(size, y);
    g.stroke();
  }
  if (style.labels !== false) {
    g.fillStyle = '#8a94a6';
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'center';
    for (const tick of ticks) {
      if (Math.abs(tick) < range) g.fillText(String(tick), toPixelX(frame, tick), size - 5);
    }
    g.textAlign = 'left';
    for (const tick of ticks) {
      if (tick !== 0 && Math.abs(tick) < range) g.fillText(String(tick), 4, toPixelY(frame, tick) + 4);
    }
    g.fillText('z₂ ↑', 4, 14);
    g.textAlign = 'right';
    g.fillText('z₁ →', size - 4, size - 18);
  }
  if (!codes) return;
  const d = codes.latentDim;
  const radius = size < 360 ? 1.7 : codes.count > 3000 ? 1.6 : 2.3;
  const highlighted = style.highlighted ?? null;
  const passes = highlighted === null ? ['all'] : ['others', 'chosen'];
  for (const pass of passes) {
    g.globalAlpha = pass === 'all' ? (style.opacity ?? 0.7) : pass === 'others' ? 0.12 : 0.95;
    for (let i = 0; i < codes.count; i++) {
      const label = codes.labels[i] ?? 0;
      if (pass !== 'all' && (label === highlighted) !== (pass === 'chosen')) continue;
      g.fillStyle = CLASS_COLOURS[label % CLASS_COLOURS.length];
      g.beginPath();
      g.arc(toPixelX(frame, codes.means[i * d]), toPixelY(frame, codes.means[i * d + 1]), radius, 0, 7);
      g.fill();
    }
  }
  g.globalAlpha = 1;
}
