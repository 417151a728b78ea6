/**
 * Matching of a document's `pages` patterns against the user's canonical URL,
 * segment by segment: a `:param` segment in the pattern matches any one segment
 * (including the `:id` placeholders canonical URLs carry), a final `*` matches the
 * rest (zero or more segments), anything else must be equal (case-insensitive).
 */

/** Path segments of a URL or path: query and fragment dropped, empty segments ignored. */
export function pathSegments(urlOrPath: string): string[] {
  let path = urlOrPath.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      return [];
    }
  }
  path = path.split(/[?#]/, 1)[0];
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.toLowerCase());
}

export function matchesPagePattern(pattern: string, canonicalUrl: string): boolean {
  const p = pathSegments(pattern);
  const u = pathSegments(canonicalUrl);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*' && i === p.length - 1) return true;
    if (i >= u.length) return false;
    if (p[i].startsWith(':') && p[i].length > 1) continue;
    if (p[i] !== u[i]) return false;
  }
  return p.length === u.length;
}

export function matchesAnyPage(patterns: readonly string[], canonicalUrl: string | undefined): boolean {
  if (!canonicalUrl) return false;
  return patterns.some((p) => matchesPagePattern(p, canonicalUrl));
}

/** The words of a canonical URL, for the search text: `/billing/invoices/:id` → "billing invoices". */
export function urlWords(canonicalUrl: string): string {
  return pathSegments(canonicalUrl)
    .filter((s) => !s.startsWith(':') && !/^\d+$/.test(s) && !/^[0-9a-f-]{16,}$/.test(s))
    .join(' ')
    .replace(/[-_.]+/g, ' ');
}
