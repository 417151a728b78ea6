/** LLM_PROVIDER port: callers never import a vendor SDK. */
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** Free-form label for logs and metrics, e.g. "copilot.reply" or "summarizer". */
  purpose?: string;
  /** Prompt name@version, logged with the call. */
  promptVersion?: string;
  /** Aborts the call (e.g. on shutdown). */
  signal?: AbortSignal;
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface LlmResponse {
  text: string;
  model: string;
  usage?: LlmUsage;
}

export interface LlmProvider {
  /** Short name for logs and metrics: openai, anthropic, offline … */
  readonly name: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
}

export type LlmFailureReason = 'timeout' | 'rate_limited' | 'server_error' | 'network' | 'circuit_open' | 'bad_request' | 'auth' | 'unknown';

/**
 * Thrown by the resilient LLM wrapper when no answer could be had (breaker open,
 * retries exhausted, non-retryable error). Callers turn it into a fallback message.
 */
export class LlmUnavailableError extends Error {
  constructor(
    readonly reason: LlmFailureReason,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LlmUnavailableError';
  }
}
