import type { INestApplication } from '@nestjs/common';
import { getHeapStatistics } from 'node:v8';
import { appConfig, browserConfig, consoleConfig, demoConfig, kbConfig, llmConfig, rasaConfig, sourcesConfig, storeConfig, type ConfigOf } from './config/config.namespaces';

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
  const kb = app.get<ConfigOf<typeof kbConfig>>(kbConfig.KEY);
  const kbMode = kb.embeddings.provider === 'openai' ? `hybrid, vectors in ${kb.store}` : 'lexical';
  const browser = app.get<ConfigOf<typeof browserConfig>>(browserConfig.KEY);
  const demo = app.get<ConfigOf<typeof demoConfig>>(demoConfig.KEY);
  const operatorConsole = app.get<ConfigOf<typeof consoleConfig>>(consoleConfig.KEY);

  const open: string[] = [];
  if (a.apiKeys.length === 0) {
    open.push('/v1/users/:id/context', ...(a.channels.includes('rest') ? ['/v1/chat'] : []), ...(a.channels.some((c) => c === 'rest' || c === 'rasa') ? ['/reply'] : []), ...(kb.dir ? ['/v1/kb/*'] : []));
  }
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
    // Only when on, so the default banner stays as it was.
    ...(kb.dir ? [`kb ${kb.dir} (${kbMode})`] : []),
    ...(store.role !== 'all' ? [`role ${store.role}`] : []),
    ...(browser.enabled ? [`browser snippet ${url}/sdk/widget.js`] : []),
    ...(demo.enabled ? [`demo ${url}/demo`] : []),
    // Named only when on: the console is off (404) without credentials.
    ...(operatorConsole.enabled ? [`console ${url}/console`] : []),
  ];
  const warnings: string[] = [];
  if (a.nodeEnv !== 'production' && open.length > 0) warnings.push(`open endpoints (no secret configured): ${open.join(', ')}`);
  if (a.nodeEnv === 'production' && a.allowUnauthenticated && open.length > 0) warnings.push(`ALLOW_UNAUTHENTICATED=true leaves these endpoints open in production: ${open.join(', ')}`);
  if (a.nodeEnv === 'production' && llm.provider === 'offline') {
    warnings.push('LLM_PROVIDER is offline in production: users get non-AI answers built from their activity. Set OPENAI_API_KEY, or LLM_PROVIDER=anthropic with ANTHROPIC_API_KEY');
  }
  const heap = heapAdvice(store, getHeapStatistics().heap_size_limit);
  if (heap.warning && (heap.tooSmall || a.nodeEnv === 'production')) warnings.push(heap.warning);
  return {
    banner: parts.join(' · '),
    details: { url, channels: a.channels, sources: a.sources, llm: { provider: llm.provider, model: llm.provider === 'offline' ? undefined : llm.model }, store: store.driver, queue: store.queue, role: store.role, kb: kb.dir ? { dir: kb.dir, mode: kbMode } : undefined, docs: a.docsEnabled, metrics, browser: browser.enabled, demo: demo.enabled, console: operatorConsole.enabled, open, heap: { limitMb: heap.limitMb, budgetsMb: heap.budgetsMb, recommendedMb: heap.recommendedMb } },
    warnings,
  };
}

const MB = 2 ** 20;

/**
 * The in-memory stores are bounded by bytes (STATE/SESSION_STORE/CONVERSATION_STORE/
 * CLAIM_STORE_MAX_BYTES), but V8 sizes its heap by its own heuristics: with the default
 * limit (up to 4 GB) it lets garbage pile up to about three times the live data before a
 * full collection, and keeps that memory. A limit of 1.5x the budgets plus room for the
 * app keeps RSS near what the budgets promise; below the budgets plus that room, the
 * process would run out of heap before the stores evict.
 */
export function heapAdvice(
  store: Pick<ConfigOf<typeof storeConfig>, 'driver' | 'stateMaxBytes' | 'sessionStoreMaxBytes' | 'conversationStoreMaxBytes' | 'claimStoreMaxBytes'>,
  heapLimitBytes: number,
): { limitMb: number; budgetsMb: number; recommendedMb: number; tooSmall: boolean; warning?: string } {
  // With a Redis store the data lives in Redis; the process keeps only small caches.
  const budgets = store.driver === 'memory' ? store.stateMaxBytes + store.sessionStoreMaxBytes + store.conversationStoreMaxBytes + store.claimStoreMaxBytes : 0;
  const budgetsMb = Math.round(budgets / MB);
  const recommendedMb = Math.max(256, Math.ceil((budgetsMb * 1.5 + 128) / 64) * 64);
  const limitMb = Math.round(heapLimitBytes / MB);
  const tooSmall = limitMb < budgetsMb + 128;
  let warning: string | undefined;
  if (tooSmall) {
    warning = `the heap limit (${limitMb} MB) is below the stores' byte budgets (${budgetsMb} MB) plus room for the app: the process would run out of memory before they evict. Run node with --max-old-space-size=${recommendedMb} (e.g. NODE_OPTIONS) or lower the *_MAX_BYTES budgets`;
  } else if (limitMb > recommendedMb * 2) {
    warning = `the heap limit (${limitMb} MB) is far above the stores' byte budgets (${budgetsMb} MB): V8 lets memory grow to several times the live data before collecting. Run node with --max-old-space-size=${recommendedMb} (e.g. NODE_OPTIONS) to keep RSS near the budgets`;
  }
  return { limitMb, budgetsMb, recommendedMb, tooSmall, warning };
}
