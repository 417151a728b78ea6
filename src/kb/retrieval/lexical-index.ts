import MiniSearch from 'minisearch';
import type { KbChunk } from '../kb.types';
import { processTerm, words } from './tokenizer';

/** Relative weight of a match in each field: a word in a title says more about a chunk than one in its body. */
export const FIELD_BOOSTS = { title: 3, headings: 2, text: 1 } as const;

interface IndexedChunk {
  id: string;
  title: string;
  headings: string;
  text: string;
}

export interface LexicalMatch {
  id: string;
  score: number;
}

export interface LexicalQuery {
  /** The user's words: full weight. */
  message: string;
  /** Words from where the user is (page title, URL words, last action): weighted by `contextWeight`. */
  context?: string;
  contextWeight: number;
  /** Multiplier per chunk id (page boost); 1 when absent. */
  boost?: (id: string) => number;
  limit: number;
}

/**
 * BM25 (MiniSearch's BM25+) over chunk title, heading path and text, in memory.
 * Prefix matching of longer terms catches compounds and derivations the stemmer
 * leaves apart ("notif…"), at a fraction of an exact match's weight.
 */
export class LexicalIndex {
  private readonly search: MiniSearch<IndexedChunk>;

  constructor(chunks: readonly KbChunk[]) {
    this.search = new MiniSearch<IndexedChunk>({
      fields: ['title', 'headings', 'text'],
      storeFields: [],
      tokenize: (text) => words(text),
      processTerm: (term) => processTerm(term),
      searchOptions: {
        boost: { ...FIELD_BOOSTS },
        combineWith: 'OR',
        prefix: (term) => term.length >= 5,
        fuzzy: false,
        weights: { prefix: 0.3, fuzzy: 0.2 },
      },
    });
    this.search.addAll(chunks.map((c) => ({ id: c.id, title: c.docTitle, headings: c.headingPath.join(' \n '), text: c.text })));
  }

  get size(): number {
    return this.search.documentCount;
  }

  query(q: LexicalQuery): LexicalMatch[] {
    const queries: (string | { queries: string[]; boostTerm: () => number })[] = [];
    if (q.message.trim()) queries.push(q.message);
    if (q.context?.trim() && q.contextWeight > 0) queries.push({ queries: [q.context], boostTerm: () => q.contextWeight });
    if (queries.length === 0) return [];
    const boost = q.boost;
    const results = this.search.search(
      { combineWith: 'OR', queries },
      boost ? { boostDocument: (id: string) => boost(id) } : {},
    );
    return results.slice(0, q.limit).map((r) => ({ id: r.id as string, score: r.score }));
  }
}
