import type { ConfigOf, llmConfig } from '../config/config.namespaces';
import type { LlmProvider } from './llm.port';
import { AnthropicProvider } from './providers/anthropic.provider';
import { OfflineProvider } from './providers/offline.provider';
import { OpenAiProvider } from './providers/openai.provider';

type LlmConfig = ConfigOf<typeof llmConfig>;

/**
 * The one place a provider name becomes an implementation (RAW_LLM_PROVIDER).
 * Config validation already refuses unknown names and missing keys; this throws
 * too, so a bad value can never fall through to the offline provider silently.
 */
export function createLlmProvider(cfg: LlmConfig, fetch?: typeof globalThis.fetch): LlmProvider {
  switch (cfg.provider) {
    case 'openai':
      if (!cfg.openaiApiKey) throw new Error('OPENAI_API_KEY is required when LLM_PROVIDER=openai');
      return new OpenAiProvider({
        apiKey: cfg.openaiApiKey,
        baseUrl: cfg.openaiBaseUrl,
        model: cfg.model,
        temperature: cfg.temperature,
        maxTokens: cfg.maxTokens,
        fetch,
      });
    case 'anthropic':
      if (!cfg.anthropicApiKey) throw new Error('ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic');
      return new AnthropicProvider({
        apiKey: cfg.anthropicApiKey,
        baseUrl: cfg.anthropicBaseUrl,
        model: cfg.model,
        maxTokens: cfg.maxTokens,
        fetch,
      });
    case 'offline':
      return new OfflineProvider();
    default:
      throw new Error(`Unknown LLM_PROVIDER "${String(cfg.provider)}" (expected openai, anthropic or offline)`);
  }
}
