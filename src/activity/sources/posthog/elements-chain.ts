import { sanitizeActivityText } from '../../activity-context.renderer';
import { hrefLabel } from './canonical-url';
import type { PosthogEvent } from './posthog-event';

/** Longest UI label kept from an element. */
export const MAX_LABEL_CHARS = 80;

// posthog-js `$elements_chain`: parsing, and the user-visible label of what was clicked.

export interface ChainElement {
  tag: string;
  classes: string[];
  attrs: Record<string, string>;
}

/** Splits on `;` outside double quotes (values escape quotes as `\"`). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === sep && !inQuote) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) parts.push(cur);
  return parts;
}

const ATTR_START = /:(?=[A-Za-z0-9_-]*=")/;
const ATTR = /([A-Za-z0-9_-]+)="((?:\\.|[^"\\])*)"/g;

/**
 * Parses posthog-js `$elements_chain`: elements from the clicked node outward, each
 * `tag.class1.class2:key="value"key2="value2"`. The attribute part starts at the first
 * `:` followed by `key="`, so classes such as Tailwind's `md:flex` stay classes.
 */
export function parseElementsChain(chain: string): ChainElement[] {
  if (!chain) return [];
  return splitOutsideQuotes(chain, ';').map((part) => {
    const m = ATTR_START.exec(part);
    const head = m ? part.slice(0, m.index) : part;
    const attrPart = m ? part.slice(m.index + 1) : '';
    const [tag = '', ...classes] = head.split('.');
    const attrs: Record<string, string> = {};
    for (const a of attrPart.matchAll(ATTR)) {
      if (!(a[1] in attrs)) attrs[a[1]] = a[2].replace(/\\(.)/g, '$1');
    }
    return { tag: tag.trim().toLowerCase(), classes: classes.filter(Boolean), attrs };
  });
}

const INTERACTIVE_TAGS = new Set(['a', 'button', 'input', 'select', 'textarea', 'label', 'form', 'summary', 'option']);

/** The clicked element and its ancestors up to the nearest interactive one (at most 5). */
function targetElements(elements: ChainElement[]): ChainElement[] {
  const out: ChainElement[] = [];
  for (const el of elements.slice(0, 5)) {
    out.push(el);
    if (INTERACTIVE_TAGS.has(el.tag) || el.attrs.attr__role === 'button' || el.attrs.attr__role === 'link') break;
  }
  return out;
}

function fromChain(elements: ChainElement[], keys: string[]): string {
  for (const key of keys) {
    for (const el of elements) {
      const v = el.attrs[key]?.trim();
      if (v) return v;
    }
  }
  return '';
}

export function label(s: string): string {
  return sanitizeActivityText(s, MAX_LABEL_CHARS);
}

/**
 * The user-visible name of what was clicked: link/button text, `$el_text`, then the
 * chain's `text`, `aria-label`, `name`, `id` (posthog-js writes it as `attr__id` and
 * `attr_id`); for form fields and forms the accessible name and field name come first,
 * since their text is their content. `described` marks a label we wrote ourselves (a
 * link known only by its href), which is not quoted as UI text.
 */
export function elementLabel(e: PosthogEvent, kind: 'click' | 'field' | 'form'): { label: string; tag: string; described?: boolean } {
  const elements = targetElements(parseElementsChain(e.elementsChain));
  const tag = elements[0]?.tag ?? '';
  const chainKeys =
    kind === 'click'
      ? ['text', 'attr__aria-label', 'attr__name', 'attr__id', 'attr_id', 'attr__title', 'attr__alt', 'attr__placeholder']
      : ['attr__aria-label', 'attr__name', 'attr__id', 'attr_id', 'attr__placeholder', 'attr__title', 'text'];
  const candidates =
    kind === 'click'
      ? [e.buttonOrLinkText, e.elText, fromChain(elements, chainKeys), e.inputFieldName, e.elementId]
      : [fromChain(elements, chainKeys), e.inputFieldName, e.elementId, kind === 'field' ? '' : e.elText];
  for (const c of candidates) {
    const l = label(c);
    if (l) return { label: l, tag };
  }
  if (kind === 'click') {
    const href = e.linkDestination || fromChain(elements, ['href', 'attr__href']);
    // Not UI text: a description we made up, which the action title must not quote.
    if (href) return { label: `a link to ${label(hrefLabel(href))}`, tag, described: true };
  }
  return { label: '', tag };
}
