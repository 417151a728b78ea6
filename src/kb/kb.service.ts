import { Logger } from '@nestjs/common';
import type { ResilientEmbedder } from './embeddings/resilient.embedder';
import type { KbIndexer } from './kb-indexer';
import type { KbMetrics } from './kb.metrics';
import type { ResolvedKbOptions } from './kb.options';
import type { KbHit, KbQuery, KbReindexResult, KbSearchOptions, KbStatus } from './kb.types';
import { applyBudget } from './retrieval/hit-budget';
import { rankChunks, type VectorSearch } from './retrieval/kb-retriever';
import { embeddingQueryText } from './retrieval/query-text';
import type { KbStore } from './store/kb-store.port';
import { toWellFormed } from './well-formed';

const MAX_QUERY_CHARS = 4_000;

/** Everything an enabled knowledge base runs on. */
export interface KbRuntime {
  options: ResolvedKbOptions;
  indexer: KbIndexer;
  metrics: KbMetrics;
  embedder?: ResilientEmbedder;
  store?: KbStore;
}

/** Thrown by reindex() on a disabled knowledge base. */
export class KbDisabledError extends Error {
  constructor() {
    super('the knowledge base is not configured (KB_DIR is not set)');
    this.name = 'KbDisabledError';
  }
}

function cleanText(s: string | undefined, max: number): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = toWellFormed(s).trim();
  return t ? t.slice(0, max) : undefined;
}

/**
 * What the rest of the app uses: ranked help-center chunks for where the user is
 * (`search`), health details (`status`) and `reindex`. A disabled instance (no
 * KB_DIR) answers every search with [] so callers need no special case.
 */
export class KbService {
  private readonly logger = new Logger(KbService.name);

  constructor(private readonly runtime?: KbRuntime) {}

  static disabled(): KbService {
    return new KbService();
  }

  get enabled(): boolean {
    return this.runtime !== undefined;
  }

  async search(query: KbQuery, opts: KbSearchOptions = {}): Promise<KbHit[]> {
    const rt = this.runtime;
    if (!rt) return [];
    const started = process.hrtime.bigint();
    const message = cleanText(query.message, MAX_QUERY_CHARS) ?? '';
    const canonicalUrl = cleanText(query.page?.canonicalUrl, 1_000);
    const q: KbQuery = {
      message,
      page: canonicalUrl ? { canonicalUrl, title: cleanText(query.page?.title, 300) } : undefined,
      lastActionLabel: cleanText(query.lastActionLabel, 300),
    };
    const vectors = this.vectorSearch();
    const ranked = await rankChunks(rt.indexer.current(), q, rt.options, vectors);
    const hits = applyBudget(ranked, opts.topK ?? rt.options.topK, opts.maxChars ?? rt.options.maxChars);
    rt.metrics.searchDuration.observe({ mode: vectors ? 'hybrid' : 'lexical' }, Number(process.hrtime.bigint() - started) / 1e9);
    return hits;
  }

  /** Semantic search when it can work right now; a failing endpoint or store degrades to lexical, never to an error. */
  private vectorSearch(): VectorSearch | undefined {
    const rt = this.runtime;
    if (!rt?.embedder || !rt.store || !rt.indexer.vectorsReady || rt.embedder.state() === 'open') return undefined;
    const { embedder, store } = rt;
    return async (query, k) => {
      try {
        const [vector] = await embedder.embedBatch([embeddingQueryText(query)]);
        return await store.nearest(vector, k);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'semantic retrieval unavailable for this search; lexical results only');
        return undefined;
      }
    };
  }

  async reindex(): Promise<KbReindexResult> {
    if (!this.runtime) throw new KbDisabledError();
    return this.runtime.indexer.reindex();
  }

  async status(): Promise<KbStatus> {
    const rt = this.runtime;
    if (!rt) return { enabled: false, documents: 0, chunks: 0, skipped: [], indexing: false, embeddings: { provider: 'none' }, store: { driver: 'none' } };
    const snap = rt.indexer.current();
    const store: KbStatus['store'] = { driver: rt.store?.driver ?? 'none' };
    if (rt.store) {
      try {
        await rt.store.ping();
        store.reachable = true;
        if (rt.indexer.vectorsReady) store.vectors = await rt.store.count();
      } catch (err) {
        store.reachable = false;
        store.error = (err as Error).message;
      }
      if (store.reachable && rt.indexer.storeError) store.error = rt.indexer.storeError;
    }
    return {
      enabled: true,
      dir: rt.options.dir,
      documents: snap.documents.length,
      chunks: snap.chunks.length,
      skipped: [...snap.skipped],
      lastIndexedAt: snap.builtAt.getTime() > 0 ? snap.builtAt.toISOString() : undefined,
      lastError: rt.indexer.lastError,
      indexing: rt.indexer.indexing,
      embeddings: rt.embedder
        ? { provider: 'openai', model: rt.embedder.model, breaker: rt.embedder.state(), lastError: rt.embedder.lastError() }
        : { provider: 'none' },
      store,
    };
  }
}
