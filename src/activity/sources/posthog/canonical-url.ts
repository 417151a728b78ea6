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

/** Path segments that identify a record rather than a page: numbers, UUIDs, long hex. */
export function isIdSegment(seg: string): boolean {
  if (/^\d+$/.test(seg)) return true;
  if (UUID.test(seg)) return true;
  if (/^[0-9a-f]{16,}$/i.test(seg)) return true;
  return /^[0-9a-f]{8,}$/i.test(seg) && /\d/.test(seg);
}

/** Path only (no origin, query or fragment), ids replaced by `:id`, no trailing slash. */
export function canonicalizeUrl(raw: string, pathnameFallback = ''): string {
  let path = '';
  if (raw) {
    try {
      path = new URL(raw).pathname;
    } catch {
      if (raw.startsWith('/')) path = raw;
    }
  }
  if (!path && pathnameFallback) path = pathnameFallback;
  path = path.split(/[?#]/)[0];
  if (!path) return '';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      let decoded = seg;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        // keep the raw segment
      }
      return isIdSegment(decoded) ? ':id' : seg;
    });
  return `/${segments.join('/')}`.slice(0, MAX_URL_CHARS);
}
