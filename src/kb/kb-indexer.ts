import { Logger } from '@nestjs/common';
import { EmbeddingError } from './embeddings/embedder.port';
import type { ResilientEmbedder } from './embeddings/resilient.embedder';
import { chunkDocument, embeddingText } from './ingest/chunker';
import { loadCorpus } from './ingest/corpus-loader';
import type { KbMetrics } from './kb.metrics';
import type { ResolvedKbOptions } from './kb.options';
import type { KbChunk, KbReindexResult } from './kb.types';
import { CoalescingRunner } from './reindex-queue';
import { KbSnapshot } from './retrieval/kb-snapshot';
import type { KbStore } from './store/kb-store.port';

export interface KbIndexerDeps {
  options: ResolvedKbOptions;
  metrics: KbMetrics;
  /** Both or neither: vectors need somewhere to live. */
  embedder?: ResilientEmbedder;
  store?: KbStore;
}

/**
 * Builds the index from the folder and keeps the vector store in step with it.
 * Runs one at a time (CoalescingRunner: the last request wins), builds a complete
 * new snapshot and only then swaps it in, so readers never see a half-built index.
 */
export class KbIndexer {
  private readonly logger = new Logger(KbIndexer.name);
  private readonly runner = new CoalescingRunner(() => this.build());
  private snapshot = KbSnapshot.empty();
  private storeReady = false;
  private lastFailure?: string;
  private lastStoreFailure?: string;
  private lastRun?: KbReindexResult;

  constructor(private readonly deps: KbIndexerDeps) {}

  /** The index readers use now. */
  current(): KbSnapshot {
    return this.snapshot;
  }

  get indexing(): boolean {
    return this.runner.busy;
  }

  get lastError(): string | undefined {
    return this.lastFailure;
  }

  get storeError(): string | undefined {
    return this.lastStoreFailure;
  }

  get lastResult(): KbReindexResult | undefined {
    return this.lastRun;
  }

  /** Whether the vector store has been migrated and can be queried. */
  get vectorsReady(): boolean {
    return this.storeReady;
  }

  reindex(): Promise<KbReindexResult> {
    return this.runner.request();
  }

  private async build(): Promise<KbReindexResult> {
    const started = process.hrtime.bigint();
    const { options, metrics } = this.deps;
    try {
      const corpus = await loadCorpus(options.dir, { maxFileBytes: options.maxFileBytes, maxFiles: options.maxFiles }, this.logger);
      const chunks = corpus.documents.flatMap((d) => chunkDocument(d, options.maxChunkChars));
      const next = new KbSnapshot(corpus.documents, chunks, corpus.skipped, new Date());
      // A first build goes live before embedding, so a slow endpoint never leaves the service without lexical search.
      if (this.snapshot.chunks.length === 0) this.swap(next);
      const { embedded, outcome } = await this.syncVectors(chunks);
      this.swap(next);
      this.lastFailure = undefined;
      const result: KbReindexResult = {
        documents: corpus.documents.length,
        chunks: chunks.length,
        skipped: corpus.skipped,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        embedded,
        embeddings: outcome,
      };
      this.lastRun = result;
      metrics.reindexes.inc({ outcome: outcome === 'failed' ? 'partial' : 'success' });
      this.logger.log({ documents: result.documents, chunks: result.chunks, skipped: result.skipped.length, embedded, embeddings: outcome, durationMs: result.durationMs }, 'knowledge base indexed');
      return result;
    } catch (err) {
      this.lastFailure = err instanceof Error ? err.message : String(err);
      metrics.reindexes.inc({ outcome: 'failure' });
      this.logger.error({ err: this.lastFailure }, 'knowledge-base reindex failed; the previous index stays in use');
      throw err;
    }
  }

  private swap(next: KbSnapshot): void {
    this.snapshot = next;
    this.deps.metrics.documents.set(next.documents.length);
    this.deps.metrics.chunks.set(next.chunks.length);
  }

  /**
   * Embeds only chunks whose content hash differs from the stored one, deletes
   * vectors of chunks that are gone, and starts over when the model or the
   * dimension changed. Failures leave the lexical index working; the next run retries.
   */
  private async syncVectors(chunks: readonly KbChunk[]): Promise<{ embedded: number; outcome: KbReindexResult['embeddings'] }> {
    const { embedder, store } = this.deps;
    if (!embedder || !store) return { embedded: 0, outcome: 'off' };
    let embedded = 0;
    try {
      if (!this.storeReady) {
        await store.init();
        this.storeReady = true;
      }
      this.lastStoreFailure = undefined;
      const stored = await store.storedHashes();
      const live = new Set(chunks.map((c) => c.id));
      const gone = [...stored.keys()].filter((id) => !live.has(id));
      if (gone.length) await store.delete(gone);

      let space = await store.space();
      let todo = space?.model === embedder.model ? chunks.filter((c) => stored.get(c.id) !== c.contentHash) : [...chunks];
      const batch = embedder.batchSize;
      for (let i = 0; i < todo.length; i += batch) {
        const part = todo.slice(i, i + batch);
        const vectors = await embedder.embedBatch(part.map(embeddingText));
        const dimension = vectors[0].length;
        if (!space || space.model !== embedder.model || space.dimension !== dimension) {
          this.logger.log({ model: embedder.model, dimension, previous: space }, 'embedding space changed; re-embedding every chunk');
          space = { model: embedder.model, dimension };
          await store.reset(space);
          if (todo.length !== chunks.length) {
            // This batch is kept; everything else must be embedded again in the new space.
            const done = new Set(part.map((c) => c.id));
            todo = [...part, ...chunks.filter((c) => !done.has(c.id))];
          }
        }
        await store.upsert(part.map((c, j) => ({ id: c.id, contentHash: c.contentHash, source: c.source, embedding: vectors[j] })));
        embedded += part.length;
      }
      return { embedded, outcome: 'ok' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Embedding failures are the embedder's to report (breaker, last error); anything else came from the store.
      if (!(err instanceof EmbeddingError)) this.lastStoreFailure = message;
      this.logger.warn({ err: message, embedded }, 'knowledge-base vectors not fully updated; lexical search is unaffected');
      return { embedded, outcome: 'failed' };
    }
  }
}
