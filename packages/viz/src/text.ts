/** Text helpers shared by the SVG and HTML writers. */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or XML content and quoted attribute values. */
export function escapeText(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

/**
 * Formats a number for people: integers in full, others to 5 significant digits without trailing zeros
 * (0.12345678 -> '0.12346'), and NaN / ±Infinity by name.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(5)));
}
