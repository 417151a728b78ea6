import OpenAI from 'openai';
import type { LlmProvider, LlmRequest, LlmResponse } from '../llm.port';
import { LlmProviderError, toProviderError } from '../llm-errors';

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint (Azure OpenAI, Ollama, vLLM, LM Studio, OpenRouter …). */
  baseUrl?: string;
  model: string;
  temperature: number;
  maxTokens: number;
  /** The shared keep-alive pool (OutboundHttp.fetch); the SDK's default fetch otherwise. */
  fetch?: typeof globalThis.fetch;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Chat Completions over the official `openai` client. Deadlines, retries and the
 * breaker belong to ResilientLlm: this provider only honours `request.signal`.
 */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiProviderOptions) {
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      // Explicit so the SDK never falls back to process.env: config is validated in one place.
      baseURL: opts.baseUrl ?? DEFAULT_BASE_URL,
      organization: null,
      project: null,
      // Retries belong to ResilientLlm alone; SDK retries would multiply them and hide failures from the breaker.
      maxRetries: 0,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      res = await this.client.chat.completions.create(
        {
          model: this.opts.model,
          temperature: request.temperature ?? this.opts.temperature,
          max_tokens: request.maxTokens ?? this.opts.maxTokens,
          messages: [{ role: 'system', content: request.system }, ...request.messages.map((m) => ({ role: m.role, content: m.content }))],
        },
        { signal: request.signal },
      );
    } catch (err) {
      throw toProviderError(err, request.signal);
    }
    const choice = res.choices?.[0];
    if (!choice) throw new LlmProviderError('server_error', 'the model returned no choices');
    return {
      text: (choice.message?.content ?? '').trim(),
      model: res.model || this.opts.model,
      usage: res.usage ? { inputTokens: res.usage.prompt_tokens, outputTokens: res.usage.completion_tokens } : undefined,
    };
  }
}
