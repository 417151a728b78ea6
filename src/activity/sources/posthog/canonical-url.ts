/** Longest URL kept on an action. */
export const MAX_URL_CHARS = 2_000;

// Page URLs as the activity model stores them: path only, record ids replaced by `:id`.

/** `test.com/pricing` for absolute links, the canonical path for relative ones. */
export function hrefLabel(href: string): string {
  try {
    const u = new URL(href);
    const path = canonicalizeUrl(href);
    return `${u.host}${path === '/' ? '' : path}`;
  } catch {
    return canonicalizeUrl(href) || href;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
/** Stripe-style ids: a short lowercase prefix, an underscore, a random tail (`cus_NffrFeUfNV2Hib`, `prod_9x8y7z`). */
const PREFIXED = /^[a-z][a-z0-9]{1,11}_([A-Za-z0-9]{6,})$/;
const HTTP_ERROR_PAGE = /^[45]\d\d$/;

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;

/**
 * Path segments that identify a record rather than a page: numbers, UUIDs, ULIDs, long
 * hex, prefixed ids and short random ids (letters and digits mixed). Words, slugs and
 * words with a digit (`v2`, `oauth2`, `page10`) stay; so does a top-level `/404`.
 */
export function isIdSegment(seg: string, position = 1): boolean {
  if (/^\d+$/.test(seg)) return !(position === 0 && HTTP_ERROR_PAGE.test(seg));
  if (UUID.test(seg)) return true;
  if (/^[0-9a-f]{16,}$/i.test(seg)) return true;
  if (/^[0-9a-f]{8,}$/i.test(seg) && /\d/.test(seg)) return true;
  if (ULID.test(seg) && /\d/.test(seg)) return true;
  const prefixed = PREFIXED.exec(seg);
  if (prefixed && /\d/.test(prefixed[1])) return true;
  if (/^[A-Za-z0-9]{6,64}$/.test(seg)) {
    const digits = count(seg, /\d/g);
    const letters = seg.length - digits;
    const mixedCase = /[a-z]/.test(seg) && /[A-Z]/.test(seg);
    return digits >= 2 && letters >= 2 && (seg.length >= 8 || mixedCase);
  }
  return false;
}

/** The route of a hash-router URL (`/#/settings/billing`, `#!/x`), under the page's own path. */
function hashRoute(u: URL): string | undefined {
  const m = /^#!?(\/[^?]*)/.exec(u.hash);
  if (!m) return undefined;
  const base = u.pathname.replace(/\/index\.html?$/i, '').replace(/\/+$/, '');
  return `${base}${m[1]}`;
}

/** Path only (no origin, query or fragment), ids replaced by `:id`, no trailing slash. */
export function canonicalizeUrl(raw: string, pathnameFallback = ''): string {
  let path = '';
  if (raw) {
    try {
      const u = new URL(raw);
      path = hashRoute(u) ?? u.pathname;
    } catch {
      if (raw.startsWith('/')) path = raw.startsWith('/#') ? raw.slice(2).replace(/^!/, '') || '/' : raw;
    }
  }
  if (!path && pathnameFallback) path = pathnameFallback;
  path = path.split(/[?#]/)[0];
  if (!path) return '';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((seg, i) => {
      let decoded = seg;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        // keep the raw segment
      }
      return isIdSegment(decoded, i) ? ':id' : seg;
    });
  return `/${segments.join('/')}`.slice(0, MAX_URL_CHARS);
}
