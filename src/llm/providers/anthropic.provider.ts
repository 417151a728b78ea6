import Anthropic from '@anthropic-ai/sdk';
import type { LlmProvider, LlmRequest, LlmResponse } from '../llm.port';
import { callWithDeadline } from '../llm-errors';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  maxTokens: number;
  timeoutMs: number;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * Messages API over the official `@anthropic-ai/sdk` client; the system prompt goes
 * in `system`, not in messages. No `temperature`: the current Messages API (and this
 * SDK major) has dropped sampling parameters, and sending one is rejected.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  private readonly client: Anthropic;

  constructor(private readonly opts: AnthropicProviderOptions) {
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      // Explicit so the SDK never falls back to process.env or local credential files.
      authToken: null,
      baseURL: opts.baseUrl ?? DEFAULT_BASE_URL,
      // Retries belong to ResilientLlm alone.
      maxRetries: 0,
      timeout: opts.timeoutMs,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const timeoutMs = request.timeoutMs ?? this.opts.timeoutMs;
    const res = await callWithDeadline(timeoutMs, request.signal, (signal) =>
      this.client.messages.create(
        {
          model: this.opts.model,
          system: request.system,
          max_tokens: request.maxTokens ?? this.opts.maxTokens,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        },
        { signal, timeout: timeoutMs },
      ),
    );
    const text = res.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('')
      .trim();
    return {
      text,
      model: res.model || this.opts.model,
      usage: res.usage ? { inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens } : undefined,
    };
  }
}
