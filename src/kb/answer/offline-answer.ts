import type { KbHit } from '../kb.types';
import { clipAtWord } from '../retrieval/hit-budget';
import { terms } from '../retrieval/tokenizer';
import { markdownToPlain } from './plain-text';

export interface OfflineAnswerOptions {
  /** Sentences (or list steps) taken from the top of the chunk. Default 3. */
  maxSentences?: number;
  /** Upper bound of the answer's length. Default 600. */
  maxChars?: number;
}

/** Sentences and list items, in order; a numbered or bulleted step counts as one sentence. */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const block of markdownToPlain(text).split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
    const isList = lines.length > 0 && lines.every((l) => /^(\d+[.)]|-)\s+/.test(l) || /^\s/.test(l));
    if (isList) {
      out.push(...lines);
      continue;
    }
    const joined = lines.join(' ');
    out.push(...(joined.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) ?? [joined]).map((s) => s.trim()).filter(Boolean));
  }
  return out;
}

/**
 * What to say without a model: where the answer lives (the chunk's deepest heading,
 * or the document title) and the first sentences of the chunk, with its link.
 * Deterministic, so the same hit always gives the same text.
 */
export function offlineAnswerFrom(hit: KbHit, opts: OfflineAnswerOptions = {}): string {
  const maxSentences = opts.maxSentences ?? 3;
  const maxChars = opts.maxChars ?? 600;
  const heading = markdownToPlain(hit.headingPath.length ? `${hit.docTitle} › ${hit.headingPath[hit.headingPath.length - 1]}` : hit.docTitle).replace(/\s+/g, ' ').trim();
  const picked = sentences(hit.text).slice(0, maxSentences);
  const body = picked.some((s) => /^(\d+[.)]|-)\s/.test(s)) ? picked.join('\n') : picked.join(' ');
  const link = hit.url ? `\nMore: ${hit.url}` : '';
  const lead = `From the help center, "${heading}":\n`;
  return lead + clipAtWord(body, Math.max(40, maxChars - lead.length - link.length)) + link;
}

/** Shortest query term that may match a longer document term by prefix, as the lexical index does. */
const PREFIX_MIN = 5;

/**
 * Whether the person's own words (not the page context) meet the hit: one of the
 * message's index terms is in the hit's title, headings or text (a term of five or
 * more letters also as a prefix). A hit found through the page alone answers "what
 * is this page about", not necessarily the question asked.
 */
export function hitMatchesMessage(hit: KbHit, message: string): boolean {
  const wanted = new Set(terms(message));
  if (wanted.size === 0) return false;
  const have = terms([hit.docTitle, ...hit.headingPath, hit.text].join('\n'));
  return have.some((t) => wanted.has(t) || [...wanted].some((w) => w.length >= PREFIX_MIN && t.startsWith(w)));
}
