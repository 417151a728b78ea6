import type { KbChunk, KbDocument, KbSkippedFile } from '../kb.types';
import { LexicalIndex, type LexicalIndexOptions } from './lexical-index';
import { matchesPagePattern } from './page-pattern';

/** Distinct URLs whose page matches are remembered per snapshot (users cluster on a few pages). */
const PAGE_CACHE_SIZE = 512;

/**
 * One built, immutable index: the chunks, their lexical index and the documents'
 * page patterns. A reindex builds a new snapshot and swaps the reference, so a
 * search always reads one consistent version.
 */
export class KbSnapshot {
  readonly byId: ReadonlyMap<string, KbChunk>;
  readonly lexical: LexicalIndex;
  /** Each distinct page pattern once, with the documents that list it. */
  private readonly sourcesByPattern: ReadonlyMap<string, readonly string[]>;
  private readonly pageCache = new Map<string, ReadonlySet<string>>();

  constructor(
    readonly documents: readonly KbDocument[],
    readonly chunks: readonly KbChunk[],
    readonly skipped: readonly KbSkippedFile[],
    readonly builtAt: Date,
    lexicalOptions?: LexicalIndexOptions,
  ) {
    this.byId = new Map(chunks.map((c) => [c.id, c]));
    this.lexical = new LexicalIndex(chunks, lexicalOptions);
    const byPattern = new Map<string, string[]>();
    for (const d of documents) for (const p of d.pages) byPattern.set(p, [...(byPattern.get(p) ?? []), d.source]);
    this.sourcesByPattern = byPattern;
  }

  static empty(): KbSnapshot {
    return new KbSnapshot([], [], [], new Date(0));
  }

  /** Sources of the documents that list `canonicalUrl` among their pages. */
  sourcesForPage(canonicalUrl: string | undefined): ReadonlySet<string> {
    if (!canonicalUrl) return new Set();
    const cached = this.pageCache.get(canonicalUrl);
    if (cached) return cached;
    const out = new Set<string>();
    for (const [pattern, sources] of this.sourcesByPattern) if (matchesPagePattern(pattern, canonicalUrl)) for (const s of sources) out.add(s);
    if (this.pageCache.size >= PAGE_CACHE_SIZE) this.pageCache.delete(this.pageCache.keys().next().value as string);
    this.pageCache.set(canonicalUrl, out);
    return out;
  }
}
