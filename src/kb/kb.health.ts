import type { ComponentStatus } from '../observability/health.registry';
import type { KbService } from './kb.service';

/**
 * The `kb` health component: `down` when the configured vector store cannot be
 * reached (fails /readyz); `degraded` when the embeddings breaker is not closed,
 * the last reindex failed or some vectors could not be written (search still
 * answers, lexically); `up` otherwise.
 */
export async function kbHealth(kb: KbService): Promise<ComponentStatus> {
  const s = await kb.status();
  const details = {
    documents: s.documents,
    chunks: s.chunks,
    skipped: s.skipped.length,
    last_indexed_at: s.lastIndexedAt ?? null,
    indexing: s.indexing,
    embeddings: s.embeddings.provider,
    breaker: s.embeddings.breaker ?? null,
    store: s.store.driver,
    vectors: s.store.vectors ?? null,
    last_error: s.lastError ?? s.store.error ?? s.embeddings.lastError ?? null,
  };
  if (s.store.driver !== 'none' && s.store.reachable === false) return { status: 'down', ...details };
  const degraded = (s.embeddings.breaker !== undefined && s.embeddings.breaker !== 'closed') || s.lastError !== undefined || s.store.error !== undefined;
  return { status: degraded ? 'degraded' : 'up', ...details };
}
