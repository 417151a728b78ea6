import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { exponentialBackoff } from '../common/backoff';
import { errorMessage } from '../common/text';
import type { MetricsService } from '../observability/metrics.service';
import { LlmProviderError, isRetryableReason } from './llm-errors';
import { LlmUnavailableError, type LlmFailureReason, type LlmProvider, type LlmRequest, type LlmResponse, type LlmStatus } from './llm.port';
import { PROVIDER_CALL_TIMEOUT } from '../common/call-timeout';

export interface ResilienceOptions {
  /** Budget for one `complete` call, retries and waits included (a request's own timeoutMs wins). */
  timeoutMs: number;
  /** Retries after the first attempt, on 429 / 5xx / network / timeout. */
  maxRetries: number;
  /** Consecutive failed calls that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before letting one trial call through. */
  breakerHalfOpenMs: number;
  /** First backoff when the server gives no Retry-After; doubles per retry up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Which breaker this is (`chat`, `summary`): callers that must not trip each other get their own. */
  breakerName?: string;
  /** The variable an operator fixes when the provider rejects the credential (for health and logs). */
  credentialVariable?: string;
  model?: string;
}

/** Breaker state as exported in `llm_circuit_state`: 0 closed, 1 half-open, 2 open. */
const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

/** Server hint (Retry-After / retry-after-ms) first, else the next step of cockatiel's exponential backoff. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly step: IBackoff<unknown>) {}

  /** Half jitter: each wait is between half and all of base × 2^n, capped at maxMs. */
  static start(baseMs: number, maxMs: number): RetryAfterBackoff {
    return new RetryAfterBackoff(exponentialBackoff({ initialMs: baseMs / 2, maxMs, jitterRatio: 1 }).next());
  }

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const error = 'error' in context.result ? context.result.error : undefined;
    const hinted = error instanceof LlmProviderError ? error.retryAfterMs : undefined;
    return { duration: hinted ?? this.step.duration, next: (c) => new RetryAfterBackoff(this.step.next(undefined)).next(c) };
  }
}

/**
 * LLM_PROVIDER: wraps the configured provider with a per-call deadline, bounded
 * retries honouring Retry-After, and a circuit breaker, and records metrics. Every
 * failure reaches the caller as LlmUnavailableError, which callers turn into a
 * fallback message.
 */
export class ResilientLlm implements LlmProvider {
  private readonly logger = new Logger(ResilientLlm.name);
  readonly name: string;
  readonly breaker: CircuitBreakerPolicy;
  private readonly duration: Histogram<string>;
  private readonly tokens: Counter<string>;
  private readonly failures: Counter<string>;
  private readonly retries: Counter<string>;
  private readonly circuit: Gauge<string>;
  private readonly breakerLabel: { provider: string; breaker: string };
  /** Set while the provider answers 401/403: the key is wrong, and retrying will not fix it. */
  private credentialsRejected?: { at: string; detail: string };

  constructor(
    private readonly inner: LlmProvider,
    private readonly opts: ResilienceOptions,
    metrics: MetricsService,
  ) {
    this.name = inner.name;
    this.duration = metrics.histogram({
      name: 'llm_request_duration_seconds',
      help: 'LLM call latency (retries included), by provider, purpose and outcome',
      labelNames: ['provider', 'purpose', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    });
    this.tokens = metrics.counter({ name: 'llm_tokens_total', help: 'LLM tokens used, by provider and kind (input/output)', labelNames: ['provider', 'kind'] });
    this.failures = metrics.counter({ name: 'llm_failures_total', help: 'LLM calls that failed, by provider and reason', labelNames: ['provider', 'reason'] });
    this.retries = metrics.counter({ name: 'llm_retries_total', help: 'LLM attempts retried, by provider and reason', labelNames: ['provider', 'reason'] });
    this.circuit = metrics.gauge({ name: 'llm_circuit_state', help: 'LLM circuit breaker: 0 closed, 1 half-open, 2 open, by provider and breaker (chat, summary)', labelNames: ['provider', 'breaker'] });
    this.breakerLabel = { provider: this.name, breaker: opts.breakerName ?? 'chat' };
    this.circuit.set(this.breakerLabel, 0);

    // Only failures that say "the provider is unwell" open the breaker; a bad request or a caller abort does not.
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof TaskCancelledError || (err instanceof LlmProviderError && err.reason !== 'bad_request' && err.reason !== 'unknown')),
      { halfOpenAfter: opts.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(opts.breakerThreshold) },
    );
    this.breaker.onStateChange((state) => {
      this.circuit.set(this.breakerLabel, STATE_VALUE[state]);
      if (state === CircuitState.Open) this.logger.error(this.breakerLabel, 'LLM circuit breaker opened');
      else if (state === CircuitState.Closed) this.logger.log(this.breakerLabel, 'LLM circuit breaker closed');
    });
  }

  /**
   * The single owner of a call's deadline: cockatiel's timeout aborts the signal each
   * attempt gets (combined with the caller's), so providers only pass it on.
   */
  async complete(request: LlmRequest): Promise<LlmResponse> {
    const purpose = request.purpose ?? 'unspecified';
    const timeoutMs = request.timeoutMs ?? this.opts.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    const startedAt = process.hrtime.bigint();
    const observe = (outcome: string) =>
      this.duration.observe({ provider: this.name, purpose, outcome }, Number(process.hrtime.bigint() - startedAt) / 1e9);

    // Timeout and retry policies are per call (the budget differs per request); the
    // breaker is shared. Aggressive timeout: a hung socket or a long backoff never outlives it.
    const policy = wrap(this.breaker, timeout(timeoutMs, PROVIDER_CALL_TIMEOUT), this.retryPolicy(deadline));
    try {
      const response = await policy.execute(async ({ signal }) => {
        if (signal.aborted) throw new LlmProviderError('unknown', 'LLM call aborted');
        return this.inner.complete({ ...request, signal });
      }, request.signal);
      observe('success');
      if (this.credentialsRejected) {
        this.credentialsRejected = undefined;
        this.logger.log({ provider: this.name }, 'LLM provider accepts the credential again');
      }
      if (response.usage?.inputTokens) this.tokens.inc({ provider: this.name, kind: 'input' }, response.usage.inputTokens);
      if (response.usage?.outputTokens) this.tokens.inc({ provider: this.name, kind: 'output' }, response.usage.outputTokens);
      return response;
    } catch (err) {
      const failure = this.toUnavailable(err, request.signal, timeoutMs);
      observe(failure.reason);
      if (failure.reason === 'auth') this.noteRejectedCredential(failure);
      this.failures.inc({ provider: this.name, reason: failure.reason });
      this.logger.warn({ provider: this.name, purpose, reason: failure.reason, promptVersion: request.promptVersion }, 'LLM call failed');
      throw failure;
    }
  }

  /** Current breaker state for health output. */
  state(): LlmStatus['breaker'] {
    const v = STATE_VALUE[this.breaker.state];
    return v === 0 ? 'closed' : v === 1 ? 'half_open' : 'open';
  }

  status(): LlmStatus {
    return {
      provider: this.name,
      ...(this.opts.model ? { model: this.opts.model } : {}),
      breaker: this.state(),
      credentials: this.credentialsRejected ? 'rejected' : 'ok',
      ...(this.credentialsRejected ? { fix: this.opts.credentialVariable, since: this.credentialsRejected.at } : {}),
    };
  }

  /** Logged once per change, not per request: a wrong key fails every call until someone fixes it. */
  private noteRejectedCredential(failure: LlmUnavailableError): void {
    if (this.credentialsRejected) return;
    this.credentialsRejected = { at: new Date().toISOString(), detail: failure.message.slice(0, 200) };
    this.logger.error(
      { provider: this.name, fix: this.opts.credentialVariable },
      `LLM provider rejected the credential; check ${this.opts.credentialVariable ?? 'the API key'}. Replies use the fallback text until it is fixed`,
    );
  }

  private retryPolicy(deadline: number): RetryPolicy {
    const policy = retry(
      // A retry whose server-requested wait would overrun the call's budget is not worth starting.
      handleWhen((err) => err instanceof LlmProviderError && isRetryableReason(err.reason) && Date.now() + (err.retryAfterMs ?? 0) < deadline),
      { maxAttempts: this.opts.maxRetries, backoff: RetryAfterBackoff.start(this.opts.retryBaseMs ?? 500, this.opts.retryMaxMs ?? 8_000) },
    );
    policy.onRetry((r) => {
      const reason = 'error' in r ? reasonOf(r.error) : 'unknown';
      this.retries.inc({ provider: this.name, reason });
      this.logger.warn({ provider: this.name, reason, attempt: r.attempt, delayMs: r.delay }, 'LLM call failed; retrying');
    });
    return policy;
  }

  private toUnavailable(err: unknown, callerSignal: AbortSignal | undefined, timeoutMs: number): LlmUnavailableError {
    if (err instanceof LlmUnavailableError) return err;
    if (err instanceof BrokenCircuitError) return new LlmUnavailableError('circuit_open', 'LLM circuit breaker is open', err);
    if (callerSignal?.aborted) return new LlmUnavailableError('unknown', 'LLM call aborted by caller', err);
    if (err instanceof TaskCancelledError) return new LlmUnavailableError('timeout', `LLM call exceeded ${timeoutMs} ms`, err);
    if (err instanceof LlmProviderError) return new LlmUnavailableError(err.reason, err.message, err);
    return new LlmUnavailableError('unknown', errorMessage(err), err);
  }
}

function reasonOf(err: unknown): LlmFailureReason {
  return err instanceof LlmProviderError ? err.reason : 'unknown';
}
