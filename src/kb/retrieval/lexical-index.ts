import MiniSearch from 'minisearch';
import type { KbChunk } from '../kb.types';
import { processTerm, words } from './tokenizer';

/** Relative weight of a match in each field: a word in a title says more about a chunk than one in its body. */
export const FIELD_BOOSTS = { title: 3, headings: 2, text: 1 } as const;

/**
 * In a large index, a query term found in more than this share of chunks is left
 * out: its BM25 weight (idf below ln 4, about a fifth of a rare term's) barely moves
 * the ranking, but scoring it means visiting a large part of the index (see
 * BENCHMARKS.md). Small indexes keep every term, and a query never loses all of them.
 */
export const COMMON_TERM_SHARE = 0.25;
export const COMMON_TERM_MIN_CHUNKS = 1_000;

export interface LexicalIndexOptions {
  commonTermShare?: number;
  commonTermMinChunks?: number;
}

interface IndexedChunk {
  id: string;
  source: string;
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
  /** Multiplier per chunk, by the file it came from (page boost); 1 when absent. */
  boostSource?: (source: string) => number;
  limit: number;
}

/**
 * BM25 (MiniSearch's BM25+) over chunk title, heading path and text, in memory.
 * Prefix matching of longer terms catches compounds and derivations the stemmer
 * leaves apart ("notif…"), at a fraction of an exact match's weight.
 */
export class LexicalIndex {
  private readonly search: MiniSearch<IndexedChunk>;
  /** Chunks each term occurs in (any field), counted while indexing. */
  private readonly docFrequency = new Map<string, number>();

  private readonly commonShare: number;
  private readonly commonMinChunks: number;

  constructor(chunks: readonly KbChunk[], opts: LexicalIndexOptions = {}) {
    this.commonShare = opts.commonTermShare ?? COMMON_TERM_SHARE;
    this.commonMinChunks = opts.commonTermMinChunks ?? COMMON_TERM_MIN_CHUNKS;
    let current = '';
    let indexing = true;
    const lastSeen = new Map<string, string>();
    this.search = new MiniSearch<IndexedChunk>({
      fields: ['title', 'headings', 'text'],
      // The source rides along so the page boost needs no lookup per posting.
      storeFields: ['source'],
      tokenize: (text) => words(text),
      extractField: (doc, field) => {
        current = doc.id;
        return (doc as unknown as Record<string, string>)[field];
      },
      processTerm: (term) => {
        const t = processTerm(term);
        if (indexing && t !== undefined && lastSeen.get(t) !== current) {
          lastSeen.set(t, current);
          this.docFrequency.set(t, (this.docFrequency.get(t) ?? 0) + 1);
        }
        return t;
      },
      searchOptions: {
        boost: { ...FIELD_BOOSTS },
        combineWith: 'OR',
        prefix: (term) => term.length >= 5,
        fuzzy: false,
        weights: { prefix: 0.3, fuzzy: 0.2 },
      },
    });
    this.search.addAll(chunks.map((c) => ({ id: c.id, source: c.source, title: c.docTitle, headings: c.headingPath.join(' \n '), text: c.text })));
    indexing = false;
  }

  /** The words of `text` worth searching for in this index (see COMMON_TERM_SHARE). */
  private informative(text: string): string {
    const all = words(text);
    const n = this.search.documentCount;
    if (n < this.commonMinChunks) return all.join(' ');
    const max = n * this.commonShare;
    const kept = all.filter((w) => {
      const t = processTerm(w);
      return t !== undefined && (this.docFrequency.get(t) ?? 0) <= max;
    });
    return (kept.length ? kept : all).join(' ');
  }

  get size(): number {
    return this.search.documentCount;
  }

  query(q: LexicalQuery): LexicalMatch[] {
    const queries: (string | { queries: string[]; boostTerm: () => number })[] = [];
    const message = this.informative(q.message);
    const context = q.context && q.contextWeight > 0 ? this.informative(q.context) : '';
    if (message) queries.push(message);
    if (context) queries.push({ queries: [context], boostTerm: () => q.contextWeight });
    if (queries.length === 0) return [];
    const boost = q.boostSource;
    const results = this.search.search(
      { combineWith: 'OR', queries },
      boost ? { boostDocument: (_id: string, _term: string, stored?: Record<string, unknown>) => boost(stored?.source as string) } : {},
    );
    return results.slice(0, q.limit).map((r) => ({ id: r.id as string, score: r.score }));
  }
}
