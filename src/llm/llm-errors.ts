import { parseRetryAfterMs, type HeaderBag } from '../common/retry-after';
import { LlmUnavailableError, type LlmFailureReason } from './llm.port';

/** Vendor-neutral view of a failed provider call, so the resilience wrapper never imports an SDK. */
export class LlmProviderError extends Error {
  constructor(
    readonly reason: LlmFailureReason,
    message: string,
    /** Server-requested wait before retrying (Retry-After / retry-after-ms), in ms. */
    readonly retryAfterMs?: number,
    readonly status?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LlmProviderError';
  }
}

const RETRYABLE: ReadonlySet<LlmFailureReason> = new Set(['timeout', 'rate_limited', 'server_error', 'network']);

export function isRetryableReason(reason: LlmFailureReason): boolean {
  return RETRYABLE.has(reason);
}

export function reasonOf(err: unknown): LlmFailureReason {
  if (err instanceof LlmProviderError || err instanceof LlmUnavailableError) return err.reason;
  return 'unknown';
}

export function reasonForStatus(status: number | undefined): LlmFailureReason {
  if (status === undefined) return 'network';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

/**
 * Maps an SDK error (openai and @anthropic-ai/sdk share one shape: APIError with
 * status and headers; connection errors carry no status) to LlmProviderError.
 * A caller abort maps to `unknown` here; the resilience wrapper knows whether the
 * abort was its own deadline and reclassifies it as `timeout`.
 */
export function fromSdkError(err: unknown): LlmProviderError {
  if (err instanceof LlmProviderError) return err;
  const e = err as { name?: string; status?: number; headers?: HeaderBag; message?: string } | undefined;
  const message = e?.message ?? String(err);
  // The SDKs leave `name` as 'Error' on some subclasses; the class name is what identifies them.
  const name = (err as object | undefined)?.constructor?.name ?? e?.name ?? '';
  if (name === 'APIConnectionTimeoutError' || e?.name === 'APIConnectionTimeoutError') return new LlmProviderError('timeout', message, undefined, undefined, err);
  if (name === 'APIUserAbortError' || e?.name === 'AbortError') return new LlmProviderError('unknown', 'LLM call aborted', undefined, undefined, err);
  if (typeof e?.status !== 'number') return new LlmProviderError('network', message, undefined, undefined, err);
  return new LlmProviderError(reasonForStatus(e.status), message, parseRetryAfterMs(e.headers), e.status, err);
}

/**
 * Maps whatever a provider's SDK call threw. An abort caused by a timeout signal
 * (`AbortSignal.timeout`, or the resilient wrapper's deadline) is a timeout; any other
 * abort is the caller giving up.
 */
export function toProviderError(err: unknown, signal: AbortSignal | undefined): LlmProviderError {
  if (err instanceof LlmProviderError) return err;
  if (signal?.aborted) {
    const why = signal.reason as { name?: string } | undefined;
    if (why?.name === 'TimeoutError') return new LlmProviderError('timeout', 'LLM call exceeded its deadline', undefined, undefined, err);
    return new LlmProviderError('unknown', 'LLM call aborted by caller', undefined, undefined, err);
  }
  return fromSdkError(err);
}
