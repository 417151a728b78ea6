import type { KbHit, KbQuery } from '../kb.types';
import type { KbSnapshot } from './kb-snapshot';
import { searchText } from './query-text';
import { reciprocalRankFusion } from './rrf';

export interface RetrievalSettings {
  /** Scores of chunks whose document lists the current page are multiplied by 1 + pageBoost. */
  pageBoost: number;
  /** Weight of context words (page title, URL words, last action) relative to the message's words. */
  contextWeight: number;
  /** Candidates taken from each list before fusion. */
  candidates: number;
}

export interface VectorNeighbour {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/** Nearest chunks to a query by embedding; undefined when semantic retrieval is unavailable right now. */
export type VectorSearch = (query: KbQuery, k: number) => Promise<VectorNeighbour[] | undefined>;

/**
 * Ranks every candidate chunk for a query (no budget applied):
 * - lexical: BM25 of the message plus context words at `contextWeight`, × (1 + pageBoost) for on-page chunks;
 * - vector (when given): cosine mapped to [0, 1], × the same page factor;
 * - both: reciprocal rank fusion (k = 60) of the two lists; otherwise the lexical score.
 */
export async function rankChunks(snapshot: KbSnapshot, query: KbQuery, settings: RetrievalSettings, vectors?: VectorSearch): Promise<KbHit[]> {
  const onPage = snapshot.sourcesForPage(query.page?.canonicalUrl);
  const factor = (id: string) => (onPage.has(snapshot.byId.get(id)?.source ?? '') ? 1 + settings.pageBoost : 1);
  const { message, context } = searchText(query);
  const boost = 1 + settings.pageBoost;
  const lexical = snapshot.lexical.query({
    message,
    context,
    contextWeight: settings.contextWeight,
    boostSource: onPage.size ? (source) => (onPage.has(source) ? boost : 1) : undefined,
    limit: settings.candidates,
  });

  const neighbours = vectors && snapshot.chunks.length > 0 ? await vectors(query, settings.candidates) : undefined;
  const vector = neighbours
    ?.filter((n) => snapshot.byId.has(n.id))
    .map((n) => ({ id: n.id, score: ((1 + n.similarity) / 2) * factor(n.id) }))
    .sort((a, b) => b.score - a.score);

  const hit = (id: string, score: number, lexicalRank?: number, vectorRank?: number): KbHit => {
    const c = snapshot.byId.get(id)!;
    return {
      chunkId: c.id,
      source: c.source,
      docTitle: c.docTitle,
      headingPath: c.headingPath,
      url: c.url,
      text: c.text,
      score,
      matchedPage: onPage.has(c.source),
      lexicalRank,
      vectorRank,
    };
  };

  if (!vector) return lexical.map((m, i) => hit(m.id, m.score, i + 1));
  const fused = reciprocalRankFusion([lexical.map((m) => m.id), vector.map((v) => v.id)]);
  return fused.map((f) => hit(f.id, f.score, f.ranks[0], f.ranks[1]));
}
