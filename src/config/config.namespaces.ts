import { registerAs } from '@nestjs/config';
import { toBytes } from './env-fields';
import { createHash } from 'node:crypto';
import { CONSOLE_USER_ENTRY, browserEndpointsOn, enabledSources } from './env.rules';
import type { Env } from './env.schema';

/**
 * Typed configuration namespaces. Each is built from the validated Env of the
 * current boot (AppModule.forRoot), so tests can boot apps with different settings
 * in one process. Inject with `@Inject(llmConfig.KEY) cfg: ConfigOf<typeof llmConfig>`.
 */
function namespace<T extends Record<string, unknown>>(name: string, build: (env: Env) => T) {
  const probe = registerAs(name, () => ({}));
  return {
    KEY: probe.KEY as string,
    build,
    register: (env: Env) => registerAs(name, () => build(env)),
  };
}

export type ConfigOf<N extends { build: (env: Env) => unknown }> = ReturnType<N['build']>;

export const appConfig = namespace('app', (env) => ({
  nodeEnv: env.NODE_ENV,
  port: env.PORT,
  host: env.HOST,
  logLevel: env.LOG_LEVEL,
  bodyLimitBytes: toBytes(env.BODY_LIMIT),
  chatBodyLimitBytes: toBytes(env.CHAT_BODY_LIMIT),
  hookBodyLimitBytes: toBytes(env.HOOK_BODY_LIMIT),
  browserEventsBodyLimitBytes: toBytes(env.BROWSER_EVENTS_BODY_LIMIT),
  requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
  headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
  maxConnections: env.MAX_CONNECTIONS,
  fastLane: env.FAST_LANE,
  outboundConnectionsPerHost: env.OUTBOUND_CONNECTIONS_PER_HOST,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  channels: env.CHANNELS,
  sources: enabledSources(env),
  apiKeys: env.API_KEYS,
  allowUnauthenticated: env.ALLOW_UNAUTHENTICATED,
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  corsOrigins: env.CORS_ORIGINS,
  /** OpenAPI at /docs: on by default, except in production. */
  docsEnabled: env.DOCS_ENABLED ?? env.NODE_ENV !== 'production',
  metrics: {
    token: env.METRICS_TOKEN,
    port: env.METRICS_PORT,
    host: env.METRICS_HOST,
    /** Served on the main port: always in development; in production only behind METRICS_TOKEN. */
    onMainPort: env.METRICS_PORT === undefined && (env.NODE_ENV !== 'production' || Boolean(env.METRICS_TOKEN)),
  },
}));

export const storeConfig = namespace('store', (env) => ({
  driver: env.STORE,
  redisUrl: env.REDIS_URL,
  redisKeyPrefix: env.REDIS_KEY_PREFIX,
  role: env.ROLE,
  streamLeaseMs: env.STREAM_LEASE_MS,
  stateMaxBytes: toBytes(env.STATE_MAX_BYTES),
  sessionStoreMaxBytes: toBytes(env.SESSION_STORE_MAX_BYTES),
  conversationStoreMaxBytes: toBytes(env.CONVERSATION_STORE_MAX_BYTES),
  claimStoreMaxBytes: toBytes(env.CLAIM_STORE_MAX_BYTES),
  queue: env.QUEUE,
  queueLockMs: env.QUEUE_LOCK_MS,
  deadLetterMax: env.DEAD_LETTER_MAX,
  queueMaxPending: env.QUEUE_MAX_PENDING,
  replyConcurrency: env.REPLY_CONCURRENCY,
  lookbackSeconds: env.LOOKBACK_SECONDS,
  maxActions: env.MAX_ACTIONS,
  maxSessions: env.MAX_SESSIONS,
  maxSessionsPerUser: env.MAX_SESSIONS_PER_USER,
  maxUsers: env.MAX_USERS,
  sessionTtlSeconds: env.SESSION_TTL_SECONDS,
  maxConversations: env.MAX_CONVERSATIONS,
}));

export const sourcesConfig = namespace('sources', (env) => ({
  enabled: enabledSources(env),
  connectorWebhookSecret: env.CONNECTOR_WEBHOOK_SECRET,
  streamUrl: env.STREAM_URL,
  unkeyApiKey: env.UNKEY_API_KEY,
  streamIdleTimeoutMs: env.STREAM_IDLE_TIMEOUT_MS,
  streamBufferSize: env.STREAM_BUFFER_SIZE,
  streamConnectTimeoutMs: env.STREAM_CONNECT_TIMEOUT_MS,
  posthogWebhookSecret: env.POSTHOG_WEBHOOK_SECRET,
  posthogProductId: env.POSTHOG_PRODUCT_ID,
}));

export const llmConfig = namespace('llm', (env) => {
  const provider = env.LLM_PROVIDER ?? (env.OPENAI_API_KEY ? 'openai' : 'offline');
  const defaultModel = provider === 'anthropic' ? 'claude-3-5-haiku-latest' : 'gpt-4o-mini';
  return {
    provider,
    openaiApiKey: env.OPENAI_API_KEY,
    openaiBaseUrl: env.OPENAI_BASE_URL,
    anthropicApiKey: env.ANTHROPIC_API_KEY,
    anthropicBaseUrl: env.ANTHROPIC_BASE_URL,
    model: env.LLM_MODEL ?? defaultModel,
    temperature: env.LLM_TEMPERATURE,
    maxTokens: env.LLM_MAX_TOKENS,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    breakerThreshold: env.LLM_BREAKER_THRESHOLD,
    breakerHalfOpenMs: env.LLM_BREAKER_HALF_OPEN_MS,
  };
});

export const summarizerConfig = namespace('summarizer', (env) => ({
  driver: env.SUMMARIZER,
  threshold: env.SUMMARY_THRESHOLD,
  promptFile: env.SUMMARY_PROMPT_FILE,
  retryBaseMs: env.SUMMARY_RETRY_BASE_MS,
  retryMaxMs: env.SUMMARY_RETRY_MAX_MS,
  concurrency: env.SUMMARY_CONCURRENCY,
  budgetPerMinute: env.SUMMARY_BUDGET_PER_MINUTE,
  temperature: env.SUMMARY_TEMPERATURE ?? env.LLM_TEMPERATURE,
}));

/** Extra time, on top of LLM_TIMEOUT_MS, for everything around the model call (stores, context). */
const REPLY_DEADLINE_MARGIN_MS = 500;

export const copilotConfig = namespace('copilot', (env) => ({
  historyTurns: env.HISTORY_TURNS,
  maxContextChars: env.MAX_CONTEXT_CHARS,
  /** How long a synchronous channel (Rasa) waits for a reply: the LLM budget plus a margin for the rest. */
  replyDeadlineMs: env.LLM_TIMEOUT_MS + REPLY_DEADLINE_MARGIN_MS,
}));

/**
 * The knowledge base, in the shape of KbModule.register's options (src/kb/kb.options.ts;
 * config/ imports nothing, so the match is structural). `dir` undefined = off.
 */
export const kbConfig = namespace('kb', (env) => ({
  dir: env.KB_DIR,
  watch: env.KB_WATCH,
  watchDebounceMs: env.KB_WATCH_DEBOUNCE_MS,
  topK: env.KB_TOP_K,
  maxChars: env.KB_MAX_CHARS,
  pageBoost: env.KB_PAGE_BOOST,
  contextWeight: env.KB_CONTEXT_WEIGHT,
  maxChunkChars: env.KB_CHUNK_MAX_CHARS,
  maxFileBytes: env.KB_MAX_FILE_BYTES,
  maxFiles: env.KB_MAX_FILES,
  candidates: env.KB_CANDIDATES,
  store: env.KB_STORE,
  databaseUrl: env.DATABASE_URL,
  postgresSchema: env.KB_PG_SCHEMA,
  postgresTablePrefix: env.KB_PG_TABLE_PREFIX,
  embeddings: {
    provider: env.EMBEDDINGS_PROVIDER,
    baseUrl: env.EMBEDDINGS_BASE_URL,
    apiKey: env.EMBEDDINGS_API_KEY,
    model: env.EMBEDDINGS_MODEL,
    dimensions: env.EMBEDDINGS_DIMENSIONS,
    batchSize: env.EMBEDDINGS_BATCH_SIZE,
    timeoutMs: env.EMBEDDINGS_TIMEOUT_MS,
    maxRetries: env.EMBEDDINGS_MAX_RETRIES,
    breakerThreshold: env.EMBEDDINGS_BREAKER_THRESHOLD,
    breakerHalfOpenMs: env.EMBEDDINGS_BREAKER_HALF_OPEN_MS,
    retryBaseMs: env.EMBEDDINGS_RETRY_BASE_MS,
  },
}));

export const identityConfig = namespace('identity', (env) => ({
  secret: env.USER_TOKEN_SECRET,
  /** Default: required in production when a secret is set, optional otherwise. */
  mode: env.IDENTITY_VERIFICATION ?? (env.NODE_ENV === 'production' && env.USER_TOKEN_SECRET ? 'required' : 'optional'),
  rasaSenderIsUserId: env.RASA_SENDER_IS_USER_ID,
}));

/**
 * The browser snippet's endpoints (/v1/browser/*, /sdk/widget.js). On by default when USER_TOKEN_SECRET is set,
 * except in production, where they also need BROWSER_ALLOWED_ORIGINS (or an explicit BROWSER_ENDPOINTS=true, which
 * then refuses to start without origins): a production that set the secret for Crisp alone gains no browser surface.
 */
export const browserConfig = namespace('browser', (env) => ({
  enabled: browserEndpointsOn(env),
  secret: env.USER_TOKEN_SECRET,
  allowedOrigins: env.BROWSER_ALLOWED_ORIGINS,
  userRateLimitPerMinute: env.BROWSER_RATE_LIMIT_PER_MINUTE,
  ipRateLimitPerMinute: env.BROWSER_IP_RATE_LIMIT_PER_MINUTE,
  streamHeartbeatMs: env.BROWSER_STREAM_HEARTBEAT_MS,
}));

/** DEMO=true: the demo product at /demo and its simulated users (refused in production). */
export const demoConfig = namespace('demo', (env) => ({
  enabled: env.DEMO,
  stepMs: env.DEMO_STEP_MS,
}));

export const crispConfig = namespace('crisp', (env) => ({
  websiteId: env.CRISP_WEBSITE_ID ?? '',
  tokenIdentifier: env.CRISP_TOKEN_IDENTIFIER ?? '',
  tokenKey: env.CRISP_TOKEN_KEY ?? '',
  tokenTier: env.CRISP_TOKEN_TIER,
  webhookSecret: env.CRISP_WEBHOOK_SECRET ?? '',
  hookSigningSecret: env.CRISP_HOOK_SIGNING_SECRET,
  signatureMaxAgeSeconds: env.CRISP_SIGNATURE_MAX_AGE_SECONDS,
  apiUrl: env.CRISP_API_URL,
  botName: env.CRISP_BOT_NAME,
  retryWindowSeconds: env.CRISP_RETRY_WINDOW_SECONDS,
}));

export const rasaConfig = namespace('rasa', (env) => ({
  url: env.RASA_URL,
  token: env.RASA_TOKEN,
  actionToken: env.RASA_ACTION_TOKEN,
}));

export const proactiveConfig = namespace('proactive', (env) => ({
  mode: env.PROACTIVE,
  rulesFile: env.PROACTIVE_RULES_FILE,
  /** Unset values leave the rules file's `settings` (or the engine defaults) in force. */
  minIntervalSeconds: env.PROACTIVE_MIN_INTERVAL_SECONDS,
  maxPerUserPerDay: env.PROACTIVE_MAX_PER_USER_PER_DAY,
  maxPerProductPerMinute: env.PROACTIVE_MAX_PER_PRODUCT_PER_MINUTE,
  pulseSeconds: env.PROACTIVE_PULSE_SECONDS,
  channels: env.PROACTIVE_CHANNELS,
  rasaIntent: env.PROACTIVE_RASA_INTENT,
  webhookUrl: env.PROACTIVE_WEBHOOK_URL,
  webhookSecret: env.PROACTIVE_WEBHOOK_SECRET,
  role: env.ROLE,
}));

export const userEventsConfig = namespace('userEvents', (env) => ({
  heartbeatMs: Math.round(env.USER_EVENTS_HEARTBEAT_SECONDS * 1000),
}));
export const consoleConfig = namespace('console', (env) => {
  const users = env.CONSOLE_USERS.map((entry) => CONSOLE_USER_ENTRY.exec(entry)).flatMap((m) => (m ? [{ name: m[1], hash: m[2] }] : []));
  const token = env.CONSOLE_TOKEN;
  return {
    /** Off (404) unless CONSOLE_USERS or CONSOLE_TOKEN is set, in every environment. */
    enabled: users.length > 0 || Boolean(token),
    users,
    token,
    sessionTtlSeconds: env.CONSOLE_SESSION_TTL_SECONDS,
    loginAttempts: env.CONSOLE_LOGIN_ATTEMPTS,
    refreshMs: env.CONSOLE_REFRESH_MS,
    /** Session cookies are Secure in production (the console is then served over HTTPS, TLS ending at the proxy). */
    secureCookie: env.NODE_ENV === 'production',
    /**
     * Signs session cookies. Derived from the credentials, so every replica configured alike accepts
     * the same cookies, and changing a password or the token signs every session out.
     */
    cookieKey: createHash('sha256').update(`activity-copilot/console-session\u0000${token ?? ''}\u0000${env.CONSOLE_USERS.join(',')}`).digest(),
  };
});

export const ALL_NAMESPACES = [
  appConfig,
  storeConfig,
  sourcesConfig,
  llmConfig,
  summarizerConfig,
  copilotConfig,
  kbConfig,
  identityConfig,
  browserConfig,
  demoConfig,
  crispConfig,
  rasaConfig,
  proactiveConfig,
  userEventsConfig,
  consoleConfig,
];
