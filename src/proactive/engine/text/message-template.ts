/**
 * Nudge templates: plain text with `{placeholder}` or `{placeholder|fallback}`.
 * Unknown placeholders are refused at load. A missing first name disappears
 * together with the punctuation around it ("Hi {firstName}, …" → "Hi, …");
 * other missing values use their fallback ("this page", …).
 */
export const PLACEHOLDERS = ['firstName', 'page', 'label', 'otherPage', 'section'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string | undefined>>;

const DEFAULT_FALLBACKS: Record<Placeholder, string | undefined> = {
  firstName: undefined,
  page: 'this page',
  label: 'that',
  otherPage: 'another page',
  section: 'this section',
};

export const MAX_TEMPLATE_LENGTH = 300;
const MAX_VALUE_LENGTH = 60;

type Part = { text: string } | { name: Placeholder; fallback?: string };

export interface MessageTemplate {
  source: string;
  parts: Part[];
}

export type TemplateResult = { ok: true; template: MessageTemplate } | { ok: false; message: string };

export function parseTemplate(source: string): TemplateResult {
  if (source.trim() === '') return { ok: false, message: 'must not be empty' };
  if (source.length > MAX_TEMPLATE_LENGTH) return { ok: false, message: `must be at most ${MAX_TEMPLATE_LENGTH} characters` };
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    const strayClose = source.indexOf('}', i);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) return { ok: false, message: `has a "}" without a matching "{"` };
    if (open === -1) {
      parts.push({ text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: source.slice(i, open) });
    const close = source.indexOf('}', open);
    if (close === -1) return { ok: false, message: `has a "{" that is never closed` };
    const inner = source.slice(open + 1, close);
    const bar = inner.indexOf('|');
    const name = (bar === -1 ? inner : inner.slice(0, bar)).trim();
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return { ok: false, message: `unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})` };
    }
    if (inner.slice(bar + 1).includes('{')) return { ok: false, message: `placeholders cannot be nested` };
    parts.push(bar === -1 ? { name: name as Placeholder } : { name: name as Placeholder, fallback: inner.slice(bar + 1) });
    i = close + 1;
  }
  return { ok: true, template: { source, parts } };
}

export function templatePlaceholders(t: MessageTemplate): Placeholder[] {
  return t.parts.flatMap((p) => ('name' in p ? [p.name] : []));
}

export function renderTemplate(t: MessageTemplate, values: TemplateValues): string {
  let out = '';
  let capitaliseNext = false;
  for (const part of t.parts) {
    if ('text' in part) {
      let text = part.text;
      if (capitaliseNext) {
        text = text.replace(/^[\s,;:]+/u, '');
        text = text.charAt(0).toUpperCase() + text.slice(1);
        capitaliseNext = false;
      }
      out += text;
      continue;
    }
    const value = clean(values[part.name]) ?? part.fallback ?? DEFAULT_FALLBACKS[part.name];
    if (value !== undefined && value !== '') {
      out += value;
      continue;
    }
    // Drop the placeholder and the space before it; a comma left dangling before
    // closing punctuation goes too ("Hello, {firstName}!" → "Hello!").
    out = out.replace(/\s+$/u, '');
    if (out === '') capitaliseNext = true;
    else out = dropDanglingSeparator(out, t, part);
  }
  return out.replace(/ {2,}/gu, ' ').trim();
}

function dropDanglingSeparator(out: string, t: MessageTemplate, removed: Part): string {
  const idx = t.parts.indexOf(removed);
  const next = t.parts[idx + 1];
  const nextText = next && 'text' in next ? next.text : '';
  if (/[,;:]$/u.test(out) && (nextText === '' || /^[!?.,;:]/u.test(nextText))) return out.slice(0, -1);
  return out;
}

/** Values come from activity and profiles: one line, bounded, no braces that could look like markup. */
function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const s = v.replace(/[\u0000-\u001f\u007f]+/gu, ' ').replace(/\s+/gu, ' ').trim();
  if (!s) return undefined;
  return s.length > MAX_VALUE_LENGTH ? `${s.slice(0, MAX_VALUE_LENGTH - 1)}…` : s;
}
