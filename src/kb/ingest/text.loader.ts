import type { ParsedDoc } from './markdown.loader';

/** Plain text: the first non-empty line is the title, blank lines separate paragraphs. No metadata. */
export function parseText(text: string): ParsedDoc {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return { meta: { pages: [] }, sections: [] };
  const title = lines[first].trim();
  const paragraphs = lines
    .slice(first + 1)
    .join('\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return { meta: { pages: [] }, title, sections: paragraphs.length ? [{ headingPath: [], paragraphs }] : [] };
}
