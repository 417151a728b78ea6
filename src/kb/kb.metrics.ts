import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsService } from '../observability/metrics.service';

/** The knowledge base's Prometheus metrics, created once per app on its MetricsService. */
export class KbMetrics {
  readonly documents: Gauge<string>;
  readonly chunks: Gauge<string>;
  readonly searchDuration: Histogram<string>;
  readonly embeddingRequests: Counter<string>;
  readonly reindexes: Counter<string>;

  constructor(metrics: MetricsService) {
    this.documents = metrics.gauge({ name: 'kb_documents', help: 'Documents in the knowledge-base index' });
    this.chunks = metrics.gauge({ name: 'kb_chunks', help: 'Chunks in the knowledge-base index' });
    this.searchDuration = metrics.histogram({
      name: 'kb_search_duration_seconds',
      help: 'Knowledge-base search latency, query embedding included, by mode (lexical or hybrid)',
      labelNames: ['mode'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.embeddingRequests = metrics.counter({
      name: 'kb_embedding_requests_total',
      help: 'Calls to the embeddings endpoint, by outcome (success, or the failure reason of a failed or retried attempt)',
      labelNames: ['outcome'],
    });
    this.reindexes = metrics.counter({
      name: 'kb_reindex_total',
      help: 'Knowledge-base reindex runs, by outcome (success, partial = lexical index swapped in but embeddings failed, failure, superseded)',
      labelNames: ['outcome'],
    });
  }
}
