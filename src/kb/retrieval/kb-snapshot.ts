import type { KbChunk, KbDocument, KbSkippedFile } from '../kb.types';
import { LexicalIndex } from './lexical-index';
import { matchesAnyPage } from './page-pattern';

/**
 * One built, immutable index: the chunks, their lexical index and the documents'
 * page patterns. A reindex builds a new snapshot and swaps the reference, so a
 * search always reads one consistent version.
 */
export class KbSnapshot {
  readonly byId: ReadonlyMap<string, KbChunk>;
  readonly lexical: LexicalIndex;
  private readonly pagesBySource: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly documents: readonly KbDocument[],
    readonly chunks: readonly KbChunk[],
    readonly skipped: readonly KbSkippedFile[],
    readonly builtAt: Date,
  ) {
    this.byId = new Map(chunks.map((c) => [c.id, c]));
    this.lexical = new LexicalIndex(chunks);
    this.pagesBySource = new Map(documents.filter((d) => d.pages.length > 0).map((d) => [d.source, d.pages]));
  }

  static empty(): KbSnapshot {
    return new KbSnapshot([], [], [], new Date(0));
  }

  /** Sources of the documents that list `canonicalUrl` among their pages. */
  sourcesForPage(canonicalUrl: string | undefined): Set<string> {
    const out = new Set<string>();
    if (!canonicalUrl) return out;
    for (const [source, pages] of this.pagesBySource) if (matchesAnyPage(pages, canonicalUrl)) out.add(source);
    return out;
  }
}
