/** Self-contained HTML reports: one file with inline images, charts, tables and the run's configuration. */
import type { Image } from './image';
import { encodePng } from './png';
import { escapeText, formatNumber } from './text';

export interface ReportFigure {
  caption: string;
  /** A PNG file, embedded as a base64 data URI and drawn with crisp (pixelated) upscaling. */
  png?: Uint8Array;
  /** An image (e.g. from `imageGrid` or `latentManifold`), encoded as PNG and embedded like `png`. */
  image?: Image;
  /** An `<svg>` element (e.g. from `lineChartSvg`), embedded verbatim: pass only SVG you trust. */
  svg?: string;
  /** Alternative text of the PNG. Default: the caption. */
  alt?: string;
}

export interface ReportSection {
  title: string;
  /** Prose above the figures; blank lines separate paragraphs. */
  text?: string;
  figures: ReportFigure[];
}

export interface ReportTable {
  title: string;
  columns: string[];
  /** One cell per column; numbers are right-aligned and shown to 5 significant digits. */
  rows: Array<Array<string | number>>;
}

export interface HtmlReportOptions {
  title: string;
  subtitle?: string;
  /** Headline numbers, shown as cards. Numbers are shown to 5 significant digits. */
  summary: Array<{ label: string; value: string | number }>;
  sections: ReportSection[];
  tables?: ReportTable[];
  /** Anything JSON-serialisable (e.g. the training options), shown as pretty-printed JSON. */
  config?: unknown;
}

/** Largest on-screen width of an upscaled PNG; smaller images get integer scales of up to 3x. */
const MAX_IMAGE_WIDTH = 960;
const MAX_IMAGE_SCALE = 3;

const STYLE = `
:root { color-scheme: light; --text: #111827; --muted: #6b7280; --border: #e5e7eb; --panel: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--text);
  font: 15px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
.subtitle { color: var(--muted); margin: 0 0 24px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin: 24px 0 0; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 12px 16px; }
.card dt { color: var(--muted); font-size: 0.78rem; letter-spacing: 0.04em; text-transform: uppercase; }
.card dd { margin: 2px 0 0; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums;
  overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 8px 0; max-width: 100%; }
figure img { display: block; max-width: 100%; height: auto; image-rendering: pixelated;
  border: 1px solid var(--border); }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid var(--border); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 14px; border-bottom: 1px solid var(--border); text-align: left; white-space: nowrap; }
th { background: var(--panel); font-weight: 600; }
th.number, td.number { text-align: right; }
pre { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 14px 18px;
  overflow: auto; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.8rem; }
`.trim();

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of bytes, without Buffer or btoa, so it runs anywhere. */
export function base64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const triple = (a << 16) | (b << 8) | c;
    chunk +=
      BASE64[triple >> 18] +
      BASE64[(triple >> 12) & 63] +
      (i + 1 < bytes.length ? BASE64[(triple >> 6) & 63] : '=') +
      (i + 2 < bytes.length ? BASE64[triple & 63] : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Width and height from a PNG's IHDR chunk, or an Error naming the figure. */
function pngSize(png: Uint8Array, where: string): { width: number; height: number } {
  const valid =
    png instanceof Uint8Array &&
    png.length >= 24 &&
    PNG_SIGNATURE.every((byte, i) => png[i] === byte) &&
    String.fromCharCode(png[12], png[13], png[14], png[15]) === 'IHDR';
  if (!valid) {
    throw new Error(`htmlReport: ${where}: png is not a PNG file; pass the bytes from encodePng(image).`);
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function cell(value: string | number): string {
  return typeof value === 'number'
    ? `<td class="number">${escapeText(formatNumber(value))}</td>`
    : `<td>${escapeText(value)}</td>`;
}

/** A column header, right-aligned like its cells when the column holds only numbers. */
function header(column: string, rows: Array<Array<string | number>>, index: number): string {
  const numeric = rows.length > 0 && rows.every((row) => typeof row[index] === 'number');
  return `<th${numeric ? ' class="number"' : ''}>${escapeText(column)}</th>`;
}

function figureHtml(figure: ReportFigure, where: string): string {
  if (figure === null || typeof figure !== 'object') {
    throw new Error(`htmlReport: ${where} must be { caption, png?, image?, svg?, alt? }.`);
  }
  if (figure.png === undefined && figure.svg === undefined && figure.image === undefined) {
    throw new Error(`htmlReport: ${where} has neither png nor svg nor image; give it one of them.`);
  }
  if (figure.png !== undefined && figure.image !== undefined) {
    throw new Error(`htmlReport: ${where} has both png and image; give only one.`);
  }
  const png = figure.image !== undefined ? encodePng(figure.image) : figure.png;
  const out = ['<figure>'];
  if (png !== undefined) {
    const { width, height } = pngSize(png, where);
    const scale = Math.max(1, Math.min(MAX_IMAGE_SCALE, Math.floor(MAX_IMAGE_WIDTH / width)));
    out.push(
      `<img src="data:image/png;base64,${base64(png)}" width="${width * scale}"` +
        ` height="${height * scale}" alt="${escapeText(figure.alt ?? figure.caption)}">`,
    );
  }
  if (figure.svg !== undefined) {
    const svg = String(figure.svg)
      .replace(/^\s*<\?xml[^>]*\?>/, '')
      .replace(/^\s*<!DOCTYPE[^>]*>/i, '')
      .trim();
    if (!svg.startsWith('<svg')) {
      throw new Error(`htmlReport: ${where}: svg must be an <svg> element string, e.g. from lineChartSvg().`);
    }
    out.push(svg);
  }
  out.push(`<figcaption>${escapeText(figure.caption)}</figcaption>`, '</figure>');
  return out.join('\n');
}

function paragraphs(text: string): string {
  return String(text)
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeText(paragraph)}</p>`)
    .join('\n');
}

function configJson(config: unknown): string {
  try {
    const json = JSON.stringify(
      config,
      (_key, value) => (typeof value === 'bigint' ? value.toString() : value),
      2,
    );
    return json ?? String(config);
  } catch (error) {
    throw new Error(
      `htmlReport: config cannot be written as JSON (${(error as Error).message}); pass plain data.`,
    );
  }
}

/**
 * Builds one self-contained HTML page: title, summary cards, sections of figures (PNGs inlined as base64 data
 * URIs and upscaled with `image-rendering: pixelated`, SVGs inlined), tables and the configuration as JSON.
 * All user text is HTML-escaped; the page loads nothing and runs no scripts (its Content-Security-Policy forbids
 * both), so it works offline and can be mailed or archived as is.
 */
export function htmlReport(options: HtmlReportOptions): string {
  if (options === null || typeof options !== 'object' || typeof options.title !== 'string') {
    throw new Error('htmlReport: pass { title, summary, sections, tables?, config? } with a string title.');
  }
  const { title, subtitle, summary = [], sections = [], tables = [], config } = options;
  for (const [label, value] of [
    ['summary', summary],
    ['sections', sections],
    ['tables', tables],
  ] as const) {
    if (!Array.isArray(value)) throw new Error(`htmlReport: ${label} must be an array, got ${typeof value}.`);
  }
  const body: string[] = [`<h1>${escapeText(title)}</h1>`];
  if (subtitle) body.push(`<p class="subtitle">${escapeText(subtitle)}</p>`);
  if (summary.length > 0) {
    body.push('<dl class="cards">');
    for (const { label, value } of summary) {
      const shown = typeof value === 'number' ? formatNumber(value) : value;
      body.push(`<div class="card"><dt>${escapeText(label)}</dt><dd>${escapeText(shown)}</dd></div>`);
    }
    body.push('</dl>');
  }
  sections.forEach((section, s) => {
    if (section === null || typeof section !== 'object' || !Array.isArray(section.figures)) {
      throw new Error(`htmlReport: section ${s} must be { title, text?, figures: [...] }.`);
    }
    body.push('<section>', `<h2>${escapeText(section.title)}</h2>`);
    if (section.text) body.push(paragraphs(section.text));
    if (section.figures.length > 0) {
      body.push('<div class="figures">');
      section.figures.forEach((figure, f) => {
        body.push(figureHtml(figure, `figure ${f} of section '${section.title}'`));
      });
      body.push('</div>');
    }
    body.push('</section>');
  });
  tables.forEach((table, t) => {
    if (
      table === null ||
      typeof table !== 'object' ||
      !Array.isArray(table.columns) ||
      !Array.isArray(table.rows)
    ) {
      throw new Error(`htmlReport: table ${t} must be { title, columns: [...], rows: [[...], ...] }.`);
    }
    table.rows.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== table.columns.length) {
        throw new Error(
          `htmlReport: row ${r} of table '${table.title}' has ${Array.isArray(row) ? row.length : 'no'} cells ` +
            `but the table has ${table.columns.length} columns; give every row one cell per column.`,
        );
      }
    });
    body.push(
      '<section>',
      `<h2>${escapeText(table.title)}</h2>`,
      '<div class="table-wrap"><table>',
      `<thead><tr>${table.columns.map((column, c) => header(column, table.rows, c)).join('')}</tr></thead>`,
      '<tbody>',
      ...table.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`),
      '</tbody></table></div>',
      '</section>',
    );
  });
  if (config !== undefined) {
    body.push(
      '<section>',
      '<h2>Configuration</h2>',
      `<pre>${escapeText(configJson(config))}</pre>`,
      '</section>',
    );
  }
  body.push('<footer>Generated by @vae/viz.</footer>');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="generator" content="@vae/viz">',
    `<title>${escapeText(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
