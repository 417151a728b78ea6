/**
 * Globs on page paths: `*` stays inside one segment, `**` crosses segments, and a
 * trailing `/**` also matches the folder itself (`/projects/**` matches `/projects`).
 * `:id` placeholders in canonical URLs are plain text here.
 */
export const MAX_GLOB_LENGTH = 200;

export type GlobResult = { ok: true; regex: RegExp } | { ok: false; message: string };

export function compileGlob(glob: string): GlobResult {
  if (glob.length === 0) return { ok: false, message: 'must not be empty' };
  if (glob.length > MAX_GLOB_LENGTH) return { ok: false, message: `must be at most ${MAX_GLOB_LENGTH} characters` };
  if (!glob.startsWith('/') && !glob.startsWith('*')) {
    return { ok: false, message: `must start with "/" or "*" (it is matched against the page path, e.g. "/projects/**")` };
  }
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const before = glob[i - 1];
      const after = glob[i + 2];
      if (after === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else if (before === '/' && after === undefined) {
        out = out.slice(0, -1) + '(?:/.*)?';
        i += 1;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/gu, '\\$&');
    }
  }
  return { ok: true, regex: new RegExp(`^${out}$`, 'u') };
}

export function matchesAny(globs: readonly RegExp[], page: string): boolean {
  for (const g of globs) if (g.test(page)) return true;
  return false;
}
