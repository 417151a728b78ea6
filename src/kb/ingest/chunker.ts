import { createHash } from 'node:crypto';
import type { KbChunk, KbDocument } from '../kb.types';

/** What a chunk's embedding is computed from; its hash decides whether to re-embed. */
export function embeddingText(c: Pick<KbChunk, 'docTitle' | 'headingPath' | 'text'>): string {
  const where = [c.docTitle, ...c.headingPath].join(' › ');
  return `${where}\n\n${c.text}`;
}

export function contentHash(c: Pick<KbChunk, 'docTitle' | 'headingPath' | 'text'>): string {
  return createHash('sha256').update(embeddingText(c)).digest('hex');
}

function slug(parts: string[]): string {
  const s = parts
    .map((p) =>
      p
        .normalize('NFKD')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter(Boolean)
    .join('/');
  return s || 'top';
}

/** Cuts at the last whitespace at or before `max`; hard cut when a single word is longer. */
function cutAtWord(text: string, max: number): [string, string] {
  if (text.length <= max) return [text, ''];
  const window = text.slice(0, max + 1);
  const at = window.search(/\s\S*$/);
  const cut = at > max * 0.5 ? at : max;
  return [text.slice(0, cut).trimEnd(), text.slice(cut).trimStart()];
}

/** A paragraph longer than `max` becomes sentence-aligned pieces (words as a last resort). */
function splitLongParagraph(p: string, max: number): string[] {
  const sentences = p.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [p];
  const out: string[] = [];
  let cur = '';
  for (const raw of sentences) {
    let s = raw;
    while (s.length > max) {
      if (cur) {
        out.push(cur.trim());
        cur = '';
      }
      const [head, rest] = cutAtWord(s, max);
      out.push(head);
      s = rest;
    }
    if (cur.length + s.length > max) {
      out.push(cur.trim());
      cur = '';
    }
    cur += s;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.filter(Boolean);
}

/**
 * Splits a document into chunks of at most `maxChars` characters: one per section,
 * long sections split at paragraph boundaries (then sentences, then words). Ids are
 * `<source>#<heading slug>` with `~n` for the second and later piece of one heading,
 * so they stay stable while the heading does.
 */
export function chunkDocument(doc: KbDocument, maxChars: number): KbChunk[] {
  const chunks: KbChunk[] = [];
  const used = new Map<string, number>();
  const emit = (headingPath: string[], text: string) => {
    const base = `${doc.source}#${slug(headingPath)}`;
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    const chunk = { id: n === 0 ? base : `${base}~${n}`, source: doc.source, docTitle: doc.title, headingPath, url: doc.url, pages: doc.pages, text };
    chunks.push({ ...chunk, contentHash: contentHash(chunk) });
  };
  for (const section of doc.sections) {
    const pieces = section.paragraphs.flatMap((p) => (p.length > maxChars ? splitLongParagraph(p, maxChars) : [p]));
    let cur = '';
    for (const piece of pieces) {
      if (cur && cur.length + 2 + piece.length > maxChars) {
        emit(section.headingPath, cur);
        cur = '';
      }
      cur = cur ? `${cur}\n\n${piece}` : piece;
    }
    if (cur) emit(section.headingPath, cur);
  }
  return chunks;
}
