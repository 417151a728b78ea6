/** LLM_PROVIDER port: callers never import a vendor SDK. */
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** One action as the prompt's activity block shows it. */
export interface GroundingAction {
  type?: string;
  label: string;
  page?: string;
  /** The user's current position (their latest action). */
  current?: boolean;
}

/**
 * What the prompt was built from, as data. Model providers read the prompt text; the
 * offline provider answers from this instead, so nothing parses prompt text back.
 */
export interface LlmGrounding {
  /** The actions in the prompt's activity block, oldest first. */
  actions?: GroundingAction[];
  /** Rolling summaries in the activity block, newest session first. */
  summaries?: string[];
  /** Summary requests: the summary being extended. */
  previousSummary?: string;
  /**
   * An answer taken from the best help-center excerpt in the prompt (its heading and first
   * sentences, with its link), when the knowledge base matched; the offline provider replies with it.
   */
  documentationAnswer?: string;
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  grounding?: LlmGrounding;
  temperature?: number;
  maxTokens?: number;
  /** Budget for the whole call, retries included (the resilient wrapper enforces it). */
  timeoutMs?: number;
  /** Free-form label for logs and metrics, e.g. "copilot.reply" or "summarizer". */
  purpose?: string;
  /** Prompt name@version, logged with the call. */
  promptVersion?: string;
  /** Aborts the call (caller's deadline, shutdown). Providers pass it to their client. */
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

export interface LlmStatus {
  provider: string;
  model?: string;
  breaker: 'closed' | 'half_open' | 'open';
  /** `rejected` while the provider answers 401/403 (a wrong key); `fix` names the variable to set. */
  credentials?: 'ok' | 'rejected';
  fix?: string;
  since?: string;
}

export interface LlmProvider {
  /** Short name for logs and metrics: openai, anthropic, offline … */
  readonly name: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
  /** Health details, for providers that track them (the resilient wrapper does). */
  status?(): LlmStatus;
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
