/**
 * How raw action fields become comparable keys. Titles come in many shapes
 * ("Clicked 'Edit'", "Click Export CSV button", "Page Load: Dashboard"), so a
 * label is the quoted part when there is one, otherwise the title without its
 * leading verb; pages are compared by path so full URLs and paths agree.
 */

/** Longest text any matcher looks at; titles are user-controlled input. */
export const MAX_MATCH_INPUT = 512;

const QUOTED = /['"‘’“”]([^'"‘’“”]{1,200})['"‘’“”]/u;
const LEADING_VERB =
  /^(?:clicked|click(?:ed)? on|click|tapped|tap|pressed|press|submitted|submit|typed (?:in|into)|typed|changed|selected|select|opened|open|page load|page view|pageview|viewed|visited)\b[\s:–-]*/iu;
const TRAILING_NOUN = /\s+(?:button|link|tab|menu item|icon)$/iu;
const PAGE_TITLE_PREFIX = /^(?:page load|page view|pageview|viewed|visited|landed on)\s*[:–-]?\s*/iu;

export function normaliseType(type: string): string {
  return type.trim().toLowerCase().replace(/^\$/u, '');
}

/** The label as a person would read it: "Clicked 'Edit'" → "Edit". */
export function displayLabel(title: string): string {
  const t = title.slice(0, MAX_MATCH_INPUT).trim();
  const quoted = QUOTED.exec(t);
  const base = quoted ? quoted[1] : t.replace(LEADING_VERB, '').replace(TRAILING_NOUN, '');
  return base.replace(/\s+/gu, ' ').trim();
}

/**
 * The label as a comparison key: case, spacing, surrounding punctuation and
 * numbers ("Page 2" / "Page 3") do not make two actions different.
 */
export function labelKey(title: string): string {
  return displayLabel(title)
    .toLowerCase()
    .replace(/\d+/gu, '#')
    .replace(/^[^\p{L}\p{N}#]+|[^\p{L}\p{N}#]+$/gu, '')
    .slice(0, 120);
}

/** "https://app.example.com/projects/:id/?tab=1" and "/projects/:id" are the same page. */
export function pageKey(canonicalUrl: string): string {
  let s = canonicalUrl.trim();
  if (!s) return '';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/iu.exec(s);
  if (scheme) s = s.slice(scheme[0].length) || '/';
  const cut = s.search(/[?#]/u);
  if (cut >= 0) s = s.slice(0, cut);
  if (!s.startsWith('/')) s = `/${s}`;
  if (s.length > 1) s = s.replace(/\/+$/u, '') || '/';
  return s.slice(0, MAX_MATCH_INPUT);
}

const isParamSegment = (seg: string) => seg.startsWith(':') || /^\d+$/u.test(seg) || /^[0-9a-f-]{16,}$/iu.test(seg);

/** A readable name for a page path: "/settings/billing" → "Billing", "/" → "Home". */
export function humanisePath(page: string): string {
  const segments = page.split('/').filter((s) => s && !isParamSegment(s));
  const last = segments[segments.length - 1];
  if (!last) return 'Home';
  const words = decodeSafely(last).replace(/[-_]+/gu, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Home';
}

/** A page's name from a pageview title ("Page Load: Edit project" → "Edit project"), when it has one. */
export function pageNameFromTitle(title: string): string | undefined {
  const name = title.slice(0, 200).replace(PAGE_TITLE_PREFIX, '').replace(/\s+/gu, ' ').trim();
  return name || undefined;
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
