import Anthropic from '@anthropic-ai/sdk';
import type { LlmProvider, LlmRequest, LlmResponse } from '../llm.port';
import { toProviderError } from '../llm-errors';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  maxTokens: number;
  /** The shared keep-alive pool (OutboundHttp.fetch); the SDK's default fetch otherwise. */
  fetch?: typeof globalThis.fetch;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * Messages API over the official `@anthropic-ai/sdk` client; the system prompt goes
 * in `system`, not in messages. No `temperature`: the current Messages API (and this
 * SDK major) has dropped sampling parameters, and sending one is rejected. Deadlines
 * and retries belong to ResilientLlm: this provider only honours `request.signal`.
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
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    let res: Anthropic.Messages.Message;
    try {
      res = await this.client.messages.create(
        {
          model: this.opts.model,
          system: request.system,
          max_tokens: request.maxTokens ?? this.opts.maxTokens,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        },
        { signal: request.signal },
      );
    } catch (err) {
      throw toProviderError(err, request.signal);
    }
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
