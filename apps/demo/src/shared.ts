/** Small helpers shared by the page and its views: DOM lookups, errors, the URL state, colours, pixels. */

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id} element`);
  return found as T;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** The views, in the order of the tabs. */
export const VIEWS = [
  'learn',
  'why',
  'explore',
  'draw',
  'interpolate',
  'sample',
  'train',
  'disentangle',
  'anomaly',
  'debias',
  'recommend',
] as const;
export type ViewName = (typeof VIEWS)[number];

export function isViewName(name: string): name is ViewName {
  return (VIEWS as readonly string[]).includes(name);
}

/**
 * Changes query parameters of the address bar without reloading (null deletes one), so that the address is
 * always a link to what the page shows. Calls are coalesced: browsers throttle `history.replaceState`.
 */
let pending: Record<string, string | null> | undefined;
export function updateUrl(changes: Record<string, string | null>): void {
  if (pending) {
    Object.assign(pending, changes);
    return;
  }
  pending = { ...changes };
  setTimeout(() => {
    const parameters = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(pending ?? {})) {
      if (value === null || value === '') parameters.delete(key);
      else parameters.set(key, value);
    }
    pending = undefined;
    const search = parameters.toString();
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${search ? `?${search}` : ''}${location.hash}`,
    );
    document.dispatchEvent(new Event('vae:url'));
  }, 150);
}

/** Ten class colours (d3's category10), readable on white. */
export const CLASS_COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export const ACCENT = '#3b5bdb';

/**
 * Draws grey pixels in [0, 1] (`width * height` values, row-major) onto a canvas, scaled to fill it without
 * smoothing. `scratch` is a reusable `width x height` canvas (pass the same one to avoid allocations on every move).
 */
export function paintGrey(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  width: number,
  height: number,
  scratch?: { canvas: HTMLCanvasElement; image: ImageData },
): { canvas: HTMLCanvasElement; image: ImageData } {
  let buffer = scratch;
  if (!buffer || buffer.image.width !== width || buffer.image.height !== height) {
    const small = document.createElement('canvas');
    small.width = width;
    small.height = height;
    buffer = { canvas: small, image: new ImageData(width, height) };
  }
  const data = buffer.image.data;
  for (let i = 0; i < width * height; i++) {
    const grey = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = grey;
    data[4 * i + 3] = 255;
  }
  buffer.canvas.getContext('2d')!.putImageData(buffer.image, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(buffer.canvas, 0, 0, canvas.width, canvas.height);
  return buffer;
}

/** A cheap summary of a canvas for tests and hooks: how many distinct grey levels and a checksum. */
export function bumpRenders(target: HTMLElement): void {
  target.dataset.renders = String(Number(target.dataset.renders ?? '0') + 1);
}

/** Sizes a canvas's backing store to its CSS size times the device pixel ratio; returns the scale. */
export function fitCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): number {
  const ratio = Math.min(2, Math.max(1, Math.round(window.devicePixelRatio || 1)));
  if (canvas.width !== cssWidth * ratio) canvas.width = cssWidth * ratio;
  if (canvas.height !== cssHeight * ratio) canvas.height = cssHeight * ratio;
  return ratio;
}
