import type { KbMetrics } from '../kb.metrics';
import type { ResolvedEmbeddingsOptions } from '../kb.options';
import { OpenAiEmbedder } from './openai.embedder';
import { ResilientEmbedder } from './resilient.embedder';

/** The one place EMBEDDINGS_PROVIDER becomes an implementation; undefined when embeddings are off. */
export function createEmbedder(opts: ResolvedEmbeddingsOptions, metrics: KbMetrics): ResilientEmbedder | undefined {
  switch (opts.provider) {
    case 'none':
      return undefined;
    case 'openai':
      return new ResilientEmbedder(
        new OpenAiEmbedder({ baseUrl: opts.baseUrl, apiKey: opts.apiKey, model: opts.model, dimensions: opts.dimensions, timeoutMs: opts.timeoutMs }),
        {
          timeoutMs: opts.timeoutMs,
          maxRetries: opts.maxRetries,
          breakerThreshold: opts.breakerThreshold,
          breakerHalfOpenMs: opts.breakerHalfOpenMs,
          retryBaseMs: opts.retryBaseMs,
          batchSize: opts.batchSize,
        },
        metrics,
      );
    default:
      throw new Error(`Unknown EMBEDDINGS_PROVIDER "${String((opts as { provider: unknown }).provider)}" (expected none or openai)`);
  }
}
