/**
 * The page of a browser URL as the activity model keys it: the path (or a hash route),
 * with record ids replaced by `:id`, so `/projects/42/edit` and `/projects/43/edit` are
 * the same page to the context and the proactive rules. Deliberately simpler than the
 * PostHog source's mapping: the snippet reports our customers' own URLs, not arbitrary links.
 */
export function canonicalPath(url: string): string {
  let path: string;
  try {
    const u = new URL(url, 'http://page.invalid');
    const hashRoute = /^#!?(\/[^?]*)/.exec(u.hash)?.[1];
    path = hashRoute ?? u.pathname;
  } catch {
    path = url.split(/[?#]/)[0];
  }
  const segments = path.split('/').filter(Boolean).map((seg, i) => (isId(seg, i) ? ':id' : seg));
  return '/' + segments.join('/');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isId(seg: string, position: number): boolean {
  // A top-level /404 or /500 is an error page, not a record.
  if (/^\d+$/.test(seg)) return !(position === 0 && /^[45]\d\d$/.test(seg));
  if (UUID.test(seg) || /^[0-9a-f]{16,}$/i.test(seg)) return true;
  // Mixed letters and digits of some length (`p_8f2k1`, `a1b2c3d4`) are generated ids; `v2`, `oauth2` stay.
  return /^[A-Za-z0-9_-]{6,64}$/.test(seg) && (seg.match(/\d/g)?.length ?? 0) >= 2 && /[A-Za-z]/.test(seg);
}
