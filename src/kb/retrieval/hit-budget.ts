import type { KbHit } from '../kb.types';

/** Below this many characters a clipped chunk is more noise than help, so it is dropped instead. */
const MIN_CLIPPED_CHARS = 80;

/** Cuts `text` to at most `max` characters at a word boundary, marking the cut with an ellipsis. */
export function clipAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(1, max - 1);
  const window = text.slice(0, room + 1);
  const at = window.search(/\s\S*$/);
  const cut = at > 0 ? at : room;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** The first `topK` hits whose text fits in `maxChars` in total; the last one is clipped on a word boundary. */
export function applyBudget(hits: readonly KbHit[], topK: number, maxChars: number): KbHit[] {
  const out: KbHit[] = [];
  let left = maxChars;
  for (const hit of hits) {
    if (out.length >= topK || left <= 0) break;
    if (hit.text.length <= left) {
      out.push(hit);
      left -= hit.text.length;
      continue;
    }
    if (left >= MIN_CLIPPED_CHARS || out.length === 0) out.push({ ...hit, text: clipAtWord(hit.text, left) });
    break;
  }
  return out;
}
