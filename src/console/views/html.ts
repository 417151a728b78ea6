/**
 * Console HTML is built only through `html\`…\``: every interpolated value is escaped
 * (text and attribute contexts alike) unless it is already SafeHtml made by `html`
 * itself. User data (ids, emails, page titles, chat text) is hostile, and this keeps
 * escaping from depending on remembering it at each call site.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** A URL path segment (user ids go into links). */
export const segment = (s: string) => encodeURIComponent(s);

/** `HH:MM:SS` UTC: absolute, so a re-render of unchanged data is byte-identical (streams send only changes). */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
