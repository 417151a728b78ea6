import type { KbQuery } from '../kb.types';
import { urlWords } from './page-pattern';
import { processTerm, words } from './tokenizer';

/** Verbs the activity pipeline puts in front of action labels ("Clicked 'Bulk edit'"); they say nothing about the topic. */
const ACTION_VERB = /^\s*(viewed|clicked|rage-clicked|submitted|changed|opened|pressed|selected)\s+/i;

export function actionLabelWords(label: string): string {
  return label.replace(ACTION_VERB, '').replace(/['"‘’“”]/g, ' ');
}

/**
 * The two parts of a search: the user's own words, and the words that say where
 * they are — page title, canonical URL words and last action label — which rank
 * below the message. Context words already in the message, or repeated, are dropped
 * so they are not counted twice.
 */
export function searchText(q: KbQuery): { message: string; context: string } {
  const message = q.message.trim();
  const seen = new Set(words(message).map(processTerm).filter(Boolean));
  const sources = [q.page?.title ?? '', q.page?.canonicalUrl ? urlWords(q.page.canonicalUrl) : '', q.lastActionLabel ? actionLabelWords(q.lastActionLabel) : ''];
  const context: string[] = [];
  for (const w of words(sources.join(' '))) {
    const t = processTerm(w);
    if (!t || seen.has(t)) continue;
    seen.add(t);
    context.push(w);
  }
  return { message, context: context.join(' ') };
}

/** One line for embedding a query: the message first, where the user is after it. */
export function embeddingQueryText(q: KbQuery): string {
  const where = [q.page?.title, q.page?.canonicalUrl, q.lastActionLabel ? `last action: ${q.lastActionLabel}` : undefined].filter(Boolean).join('; ');
  return where ? `${q.message.trim()}\n(${where})` : q.message.trim();
}
