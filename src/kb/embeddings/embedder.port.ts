/** Turns texts into vectors. Implementations: OpenAI-compatible endpoint; wrapped by ResilientEmbedder. */
export interface Embedder {
  readonly name: string;
  readonly model: string;
  /** One vector per input, in input order. `texts` is at most one batch long. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export type EmbeddingFailureReason = 'timeout' | 'rate_limited' | 'server_error' | 'network' | 'auth' | 'bad_request' | 'bad_response' | 'circuit_open' | 'aborted' | 'unknown';

/** A failed embeddings call, classified so retries and the breaker can decide without knowing the SDK. */
export class EmbeddingError extends Error {
  constructor(
    readonly reason: EmbeddingFailureReason,
    message: string,
    /** Server-requested wait (Retry-After / retry-after-ms), in ms. */
    readonly retryAfterMs?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

const RETRYABLE: ReadonlySet<EmbeddingFailureReason> = new Set(['timeout', 'rate_limited', 'server_error', 'network']);

export function isRetryable(reason: EmbeddingFailureReason): boolean {
  return RETRYABLE.has(reason);
}

/** Failures that say "the endpoint is unwell" and so count towards opening the breaker. */
export function countsForBreaker(reason: EmbeddingFailureReason): boolean {
  return reason !== 'bad_request' && reason !== 'aborted' && reason !== 'unknown';
}
