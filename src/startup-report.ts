import type { INestApplication } from '@nestjs/common';
import { appConfig, llmConfig, rasaConfig, sourcesConfig, storeConfig, type ConfigOf } from './config/config.namespaces';

export interface StartupReport {
  /** One line: where the service is and what it runs with. */
  banner: string;
  details: Record<string, unknown>;
  /** Things an operator should know at once (open endpoints, non-AI answers in production). */
  warnings: string[];
}

/** What the start-up banner says, from the typed config of the running app. */
export function startupReport(app: INestApplication, url: string): StartupReport {
  const a = app.get<ConfigOf<typeof appConfig>>(appConfig.KEY);
  const llm = app.get<ConfigOf<typeof llmConfig>>(llmConfig.KEY);
  const store = app.get<ConfigOf<typeof storeConfig>>(storeConfig.KEY);
  const sources = app.get<ConfigOf<typeof sourcesConfig>>(sourcesConfig.KEY);
  const rasa = app.get<ConfigOf<typeof rasaConfig>>(rasaConfig.KEY);

  const open: string[] = [];
  if (a.apiKeys.length === 0) open.push('/v1/users/:id/context', ...(a.channels.includes('rest') ? ['/v1/chat'] : []), ...(a.channels.some((c) => c === 'rest' || c === 'rasa') ? ['/reply'] : []));
  if (a.sources.includes('push') && !sources.connectorWebhookSecret) open.push('/v1/activity');
  if (a.sources.includes('posthog') && !sources.posthogWebhookSecret) open.push('/v1/activity/posthog');
  if (a.channels.includes('rasa') && !rasa.actionToken) open.push('/rasa/webhook');
  if (a.metrics.onMainPort && !a.metrics.token) open.push('/metrics');
  if (a.docsEnabled) open.push('/docs');

  const model = llm.provider === 'offline' ? 'offline (no AI answers)' : `${llm.provider} ${llm.model}`;
  const metrics = a.metrics.port !== undefined ? `http://${a.metrics.host}:${a.metrics.port}/metrics` : a.metrics.onMainPort ? `${url}/metrics` : 'off';
  const parts = [
    `activity-copilot listening on ${url}`,
    a.docsEnabled ? `docs ${url}/docs` : 'docs off',
    `metrics ${metrics}`,
    `llm ${model}`,
    `channels ${a.channels.join(',')}`,
    `sources ${a.sources.join(',') || 'none'}`,
    `store ${store.driver}`,
    `queue ${store.queue}`,
  ];
  const warnings: string[] = [];
  if (a.nodeEnv !== 'production' && open.length > 0) warnings.push(`open endpoints (no secret configured): ${open.join(', ')}`);
  if (a.nodeEnv === 'production' && a.allowUnauthenticated && open.length > 0) warnings.push(`ALLOW_UNAUTHENTICATED=true leaves these endpoints open in production: ${open.join(', ')}`);
  if (a.nodeEnv === 'production' && llm.provider === 'offline') {
    warnings.push('LLM_PROVIDER is offline in production: users get non-AI answers built from their activity. Set OPENAI_API_KEY, or LLM_PROVIDER=anthropic with ANTHROPIC_API_KEY');
  }
  return {
    banner: parts.join(' · '),
    details: { url, channels: a.channels, sources: a.sources, llm: { provider: llm.provider, model: llm.provider === 'offline' ? undefined : llm.model }, store: store.driver, queue: store.queue, docs: a.docsEnabled, metrics, open },
    warnings,
  };
}
