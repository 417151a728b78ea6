import { parse as parseYaml } from 'yaml';

/** Fields a help-center file may declare about itself. Unknown keys are ignored. */
export interface DocMeta {
  title?: string;
  url?: string;
  pages: string[];
}

/** A file whose declared metadata cannot be used; the loader skips the file with this reason. */
export class InvalidMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMetadataError';
  }
}

const MAX_PAGES = 100;
const MAX_PATTERN_CHARS = 300;

/** `https://…` or a site-relative `/path`; anything else (javascript:, relative) is refused. */
export function checkUrl(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidMetadataError(`${field} must be a string`);
  const url = value.trim();
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidMetadataError(`${field} must be an http(s) URL or a path starting with /`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidMetadataError(`${field} must be an http(s) URL or a path starting with /`);
  return url;
}

/** Page patterns: each a path starting with `/` (segments may be `:param` or a trailing `*`). */
export function checkPages(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) throw new InvalidMetadataError(`${field} must be a list of paths starting with /`);
  if (list.length > MAX_PAGES) throw new InvalidMetadataError(`${field} lists more than ${MAX_PAGES} pages`);
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string') throw new InvalidMetadataError(`${field} must be a list of paths starting with /`);
    const p = item.trim();
    if (p === '') continue;
    if (!p.startsWith('/') || p.length > MAX_PATTERN_CHARS || /\s/.test(p)) throw new InvalidMetadataError(`${field} entry "${p.slice(0, 60)}" must be a path starting with / without spaces`);
    const stars = p.split('/').filter((s) => s.includes('*'));
    if (stars.length > 1 || (stars.length === 1 && !p.endsWith('/*') && p !== '/*')) {
      throw new InvalidMetadataError(`${field} entry "${p}": * may only be the last segment`);
    }
    out.push(p);
  }
  return out;
}

function checkTitle(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidMetadataError('title must be a string');
  const t = String(value).trim();
  return t === '' ? undefined : t;
}

/**
 * Splits `---\n<yaml>\n---` off the top of a Markdown file. A file without front
 * matter has empty metadata; YAML that does not parse, is not a mapping, or has
 * fields of the wrong shape throws InvalidMetadataError.
 */
export function splitFrontMatter(text: string): { meta: DocMeta; body: string } {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) {
    // An opening fence without a closing one is a mistake worth reporting, not body text.
    if (/^---[ \t]*\r?\n/.test(text) && !/\r?\n---[ \t]*(\r?\n|$)/.test(text.slice(3))) throw new InvalidMetadataError('invalid front matter: no closing ---');
    return { meta: { pages: [] }, body: text };
  }
  let data: unknown;
  try {
    data = parseYaml(m[1], { maxAliasCount: 10 });
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new InvalidMetadataError(`invalid front matter: ${first}`);
  }
  if (data === null || data === undefined) return { meta: { pages: [] }, body: text.slice(m[0].length) };
  if (typeof data !== 'object' || Array.isArray(data)) throw new InvalidMetadataError('invalid front matter: expected key: value pairs');
  const d = data as Record<string, unknown>;
  try {
    return { meta: { title: checkTitle(d.title), url: checkUrl(d.url, 'url'), pages: checkPages(d.pages, 'pages') }, body: text.slice(m[0].length) };
  } catch (err) {
    throw new InvalidMetadataError(`invalid front matter: ${(err as Error).message}`);
  }
}
