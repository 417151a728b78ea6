import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { KbMetrics } from '../kb.metrics';
import { EmbeddingError, countsForBreaker, isRetryable, type Embedder } from './embedder.port';
import { PROVIDER_CALL_TIMEOUT } from '../../common/call-timeout';

export interface EmbeddingResilience {
  /** Budget of one call (one batch), retries and waits included. */
  timeoutMs: number;
  maxRetries: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  retryBaseMs: number;
  batchSize: number;
}

export type BreakerState = 'closed' | 'half_open' | 'open';

/** The server's Retry-After first, else exponential backoff with jitter (capped at 8 s). */
class ServerHintBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly baseMs: number) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const error = 'error' in context.result ? context.result.error : undefined;
    const hinted = error instanceof EmbeddingError ? error.retryAfterMs : undefined;
    const exp = Math.min(8_000, this.baseMs * 2 ** Math.max(0, context.attempt - 1));
    return { duration: hinted ?? Math.round(exp / 2 + (Math.random() * exp) / 2), next: (c) => this.next(c) };
  }
}

/**
 * The embedder behind a per-call deadline, bounded retries (429 / 5xx / network /
 * timeout, honouring Retry-After) and a circuit breaker, with batching and metrics.
 * Every failure reaches the caller as EmbeddingError with a reason.
 */
export class ResilientEmbedder {
  private readonly logger = new Logger(ResilientEmbedder.name);
  readonly breaker: CircuitBreakerPolicy;
  private lastFailure?: string;

  constructor(
    private readonly inner: Embedder,
    private readonly opts: EmbeddingResilience,
    private readonly metrics: KbMetrics,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof TaskCancelledError || (err instanceof EmbeddingError && countsForBreaker(err.reason))),
      { halfOpenAfter: opts.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(opts.breakerThreshold) },
    );
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.logger.error({ provider: inner.name }, 'embeddings circuit breaker opened');
      else if (state === CircuitState.Closed) this.logger.log({ provider: inner.name }, 'embeddings circuit breaker closed');
    });
  }

  get provider(): string {
    return this.inner.name;
  }

  get model(): string {
    return this.inner.model;
  }

  get batchSize(): number {
    return this.opts.batchSize;
  }

  state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half_open';
      default:
        return 'open';
    }
  }

  lastError(): string | undefined {
    return this.lastFailure;
  }

  /** All texts, `batchSize` per call, in order. Stops at the first batch that fails for good. */
  async embedAll(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.opts.batchSize) {
      if (signal?.aborted) throw new EmbeddingError('aborted', 'embeddings aborted');
      out.push(...(await this.embedBatch(texts.slice(i, i + this.opts.batchSize), signal)));
    }
    return out;
  }

  /** One call to the endpoint (at most one batch), with deadline, retries and breaker. */
  async embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const deadline = Date.now() + this.opts.timeoutMs;
    const retries = retry(
      // A retry whose requested wait would overrun the budget is not worth starting.
      handleWhen((err) => err instanceof EmbeddingError && isRetryable(err.reason) && Date.now() + (err.retryAfterMs ?? 0) < deadline),
      { maxAttempts: this.opts.maxRetries, backoff: new ServerHintBackoff(this.opts.retryBaseMs) },
    );
    retries.onRetry((r) => {
      const reason = 'error' in r && r.error instanceof EmbeddingError ? r.error.reason : 'unknown';
      this.metrics.embeddingRequests.inc({ outcome: reason });
      this.logger.warn({ reason, attempt: r.attempt, delayMs: r.delay }, 'embeddings call failed; retrying');
    });
    const policy = wrap(this.breaker, timeout(this.opts.timeoutMs, PROVIDER_CALL_TIMEOUT), retries);
    try {
      const vectors = await policy.execute(({ signal: s }) => this.inner.embed(texts, s), signal);
      this.metrics.embeddingRequests.inc({ outcome: 'success' });
      this.lastFailure = undefined;
      return vectors;
    } catch (err) {
      const failure = this.classify(err, signal);
      this.metrics.embeddingRequests.inc({ outcome: failure.reason });
      this.lastFailure = `${failure.reason}: ${failure.message}`;
      this.logger.warn({ reason: failure.reason, inputs: texts.length }, 'embeddings call failed');
      throw failure;
    }
  }

  private classify(err: unknown, signal: AbortSignal | undefined): EmbeddingError {
    if (err instanceof BrokenCircuitError) return new EmbeddingError('circuit_open', 'embeddings circuit breaker is open', undefined, err);
    if (signal?.aborted) return new EmbeddingError('aborted', 'embeddings call aborted by caller', undefined, err);
    if (err instanceof TaskCancelledError) return new EmbeddingError('timeout', `embeddings call exceeded ${this.opts.timeoutMs} ms`, undefined, err);
    if (err instanceof EmbeddingError) return err;
    return new EmbeddingError('unknown', err instanceof Error ? err.message : String(err), undefined, err);
  }
}
