import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { OutboundHttp } from '../common/outbound-http';
import { llmConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../observability/health.registry';
import { MetricsService } from '../observability/metrics.service';
import { createLlmProvider } from './llm-provider.factory';
import { LLM_PROVIDER, RAW_LLM_PROVIDER, SUMMARY_LLM_PROVIDER } from './llm.constants';
import type { LlmProvider } from './llm.port';
import { ResilientLlm, type ResilienceOptions } from './resilient-llm';

/**
 * RAW_LLM_PROVIDER is the provider picked by LLM_PROVIDER; LLM_PROVIDER, what every
 * caller injects, is that provider behind ResilientLlm. Overriding LLM_PROVIDER in a
 * testing module swaps the model for the whole reply path.
 */
const resilienceFrom = (cfg: ConfigOf<typeof llmConfig>, breakerName: string): ResilienceOptions => ({
  timeoutMs: cfg.timeoutMs,
  maxRetries: cfg.maxRetries,
  breakerThreshold: cfg.breakerThreshold,
  breakerHalfOpenMs: cfg.breakerHalfOpenMs,
  breakerName,
  model: cfg.provider === 'offline' ? undefined : cfg.model,
  credentialVariable: cfg.provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : cfg.provider === 'openai' ? 'OPENAI_API_KEY' : undefined,
});

@Global()
@Module({
  providers: [
    {
      provide: RAW_LLM_PROVIDER,
      inject: [llmConfig.KEY, OutboundHttp],
      useFactory: (cfg: ConfigOf<typeof llmConfig>, http: OutboundHttp) => createLlmProvider(cfg, http.fetch),
    },
    {
      provide: LLM_PROVIDER,
      inject: [RAW_LLM_PROVIDER, llmConfig.KEY, MetricsService],
      useFactory: (raw: LlmProvider, cfg: ConfigOf<typeof llmConfig>, metrics: MetricsService) => new ResilientLlm(raw, resilienceFrom(cfg, 'chat'), metrics),
    },
    {
      provide: SUMMARY_LLM_PROVIDER,
      inject: [RAW_LLM_PROVIDER, llmConfig.KEY, MetricsService],
      useFactory: (raw: LlmProvider, cfg: ConfigOf<typeof llmConfig>, metrics: MetricsService) => new ResilientLlm(raw, resilienceFrom(cfg, 'summary'), metrics),
    },
  ],
  exports: [LLM_PROVIDER, RAW_LLM_PROVIDER, SUMMARY_LLM_PROVIDER],
})
export class LlmModule implements OnModuleInit {
  constructor(
    @Inject(LLM_PROVIDER) private readonly llm: LlmProvider,
    @Inject(SUMMARY_LLM_PROVIDER) private readonly summaryLlm: LlmProvider,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    // An open breaker is "degraded", not "down": replies still go out (fallback text) and readiness must not flap
    // with a vendor outage. A rejected credential is "down": nothing will work until an operator fixes the key.
    this.health.register('llm', () => {
      const s = this.llm.status?.() ?? { provider: this.llm.name, breaker: 'closed' as const };
      const status = s.credentials === 'rejected' ? 'down' : s.breaker === 'closed' ? 'up' : 'degraded';
      const summaries = this.summaryLlm.status?.().breaker ?? 'closed';
      return { ...s, summary_breaker: summaries, status: status === 'up' && summaries !== 'closed' ? 'degraded' : status };
    });
  }
}
