import { z } from 'zod';
import {
  bool,
  byteSize,
  csv,
  emptyToUndefined,
  enumOf,
  httpUrl,
  idList,
  int,
  num,
  optionalBool,
  optionalEnum,
  optionalHttpUrl,
  optionalIdList,
  optionalInt,
  optionalNum,
  optionalPostgresUrl,
  redisUrl,
  optionalString,
  string,
} from './env-fields';
import { crossFieldProblems } from './env.rules';

export { toBytes } from './env-fields';

/**
 * The single source of truth for environment variables. Parsed once per boot by
 * `parseEnv`; every other file reads typed namespaces (see config.namespaces.ts).
 * `.env.example` documents every variable (a spec checks it lists exactly these, each
 * with its own description, and that the README table is generated from it).
 */

export const CHANNEL_IDS = ['crisp', 'rasa', 'rest'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

/** What PostgreSQL accepts unquoted for KB_PG_SCHEMA and KB_PG_TABLE_PREFIX (the same rule as kb.options.ts). */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;
const PG_IDENTIFIER_MESSAGE = 'must be a lowercase identifier (letters, digits, _; at most 41 characters)';

export const SOURCE_IDS = ['push', 'posthog', 'stream'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export const envSchema = z.object({
  // Server
  NODE_ENV: enumOf(['development', 'production', 'test'], 'development'),
  PORT: int(3000, 0, 65535),
  HOST: string('0.0.0.0', 255),
  LOG_LEVEL: enumOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  BODY_LIMIT: byteSize('1mb'),
  CHAT_BODY_LIMIT: byteSize('16kb'),
  HOOK_BODY_LIMIT: byteSize('256kb'),
  REQUEST_TIMEOUT_MS: int(30_000, 1_000, 600_000),
  HEADERS_TIMEOUT_MS: int(10_000, 500, 120_000),
  MAX_CONNECTIONS: int(10_000, 1, 1_000_000),
  FAST_LANE: bool(true),
  OUTBOUND_CONNECTIONS_PER_HOST: int(64, 1, 10_000),
  DEAD_LETTER_MAX: int(1_000, 1, 1_000_000),
  QUEUE_MAX_PENDING: int(10_000, 1, 10_000_000),
  REPLY_CONCURRENCY: int(32, 1, 1_024),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  CHANNELS: idList(CHANNEL_IDS, ['rest']),
  SOURCES: optionalIdList(SOURCE_IDS),
  API_KEYS: csv([]),
  ALLOW_UNAUTHENTICATED: bool(false),
  CORS_ORIGINS: csv([]),
  DOCS_ENABLED: optionalBool,
  METRICS_TOKEN: optionalString,
  METRICS_PORT: optionalInt(0, 65535),
  METRICS_HOST: string('127.0.0.1', 255),
  RATE_LIMIT_PER_MINUTE: int(30, 1),

  // Identity
  USER_TOKEN_SECRET: optionalString,
  IDENTITY_VERIFICATION: optionalEnum(['required', 'optional', 'off']),
  RASA_SENDER_IS_USER_ID: bool(false),

  // Browser snippet
  BROWSER_ENDPOINTS: optionalBool,
  BROWSER_ALLOWED_ORIGINS: csv([]),
  BROWSER_RATE_LIMIT_PER_MINUTE: int(60, 1),
  BROWSER_IP_RATE_LIMIT_PER_MINUTE: int(600, 1),
  BROWSER_EVENTS_BODY_LIMIT: byteSize('64kb'),
  BROWSER_STREAM_HEARTBEAT_MS: int(15_000, 100, 600_000),

  // Demo
  DEMO: bool(false),
  DEMO_STEP_MS: int(3_000, 20, 600_000),

  // State
  STORE: enumOf(['memory', 'redis'], 'memory'),
  QUEUE: enumOf(['memory', 'bullmq'], 'memory'),
  REDIS_URL: redisUrl('redis://127.0.0.1:6379'),
  ROLE: enumOf(['all', 'web', 'worker'], 'all'),
  STREAM_LEASE_MS: int(15_000, 1_000, 600_000),
  QUEUE_LOCK_MS: int(30_000, 1_000, 600_000),
  REDIS_KEY_PREFIX: string('ac:', 64),
  STATE_MAX_BYTES: byteSize('64mb'),
  SESSION_STORE_MAX_BYTES: byteSize('256mb'),
  CONVERSATION_STORE_MAX_BYTES: byteSize('64mb'),
  CLAIM_STORE_MAX_BYTES: byteSize('16mb'),
  LOOKBACK_SECONDS: int(300, 1),
  MAX_ACTIONS: int(30, 1, 10_000),
  MAX_SESSIONS: int(50_000, 1),
  MAX_SESSIONS_PER_USER: int(20, 1, 1_000),
  MAX_USERS: int(100_000, 1),
  SESSION_TTL_SECONDS: int(86_400, 1),
  MAX_CONVERSATIONS: int(100_000, 1),

  // Activity sources
  CONNECTOR_WEBHOOK_SECRET: optionalString,
  STREAM_URL: optionalHttpUrl('https://connector.example.com/stream/<product_id>'),
  UNKEY_API_KEY: optionalString,
  STREAM_IDLE_TIMEOUT_MS: int(90_000, 1),
  STREAM_BUFFER_SIZE: int(1_000, 1),
  STREAM_CONNECT_TIMEOUT_MS: int(10_000, 1),
  POSTHOG_WEBHOOK_SECRET: optionalString,
  POSTHOG_PRODUCT_ID: string('posthog', 200),

  // LLM
  LLM_PROVIDER: optionalEnum(['openai', 'anthropic', 'offline']),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalHttpUrl('http://localhost:11434/v1'),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalHttpUrl('https://api.anthropic.com'),
  LLM_MODEL: optionalString,
  LLM_TEMPERATURE: num(0.3, 0, 2),
  LLM_MAX_TOKENS: int(512, 1, 100_000),
  LLM_TIMEOUT_MS: int(20_000, 1, 600_000),
  LLM_MAX_RETRIES: int(2, 0, 10),
  LLM_BREAKER_THRESHOLD: int(5, 1, 1_000),
  LLM_BREAKER_HALF_OPEN_MS: int(30_000, 1),

  // Summaries
  SUMMARIZER: enumOf(['llm', 'none'], 'llm'),
  SUMMARY_THRESHOLD: int(10, 1, 10_000),
  SUMMARY_PROMPT_FILE: optionalString,
  SUMMARY_RETRY_BASE_MS: int(5_000, 1),
  SUMMARY_RETRY_MAX_MS: int(300_000, 1),
  SUMMARY_CONCURRENCY: int(4, 1, 256),
  SUMMARY_BUDGET_PER_MINUTE: int(60, 1, 100_000),
  SUMMARY_TEMPERATURE: optionalNum(0, 2),

  // Copilot
  HISTORY_TURNS: int(10, 0, 200),
  MAX_CONTEXT_CHARS: int(6_000, 200, 200_000),

  // Knowledge base (off without KB_DIR); ranges as src/kb/kb.options.ts accepts them
  KB_DIR: optionalString,
  KB_WATCH: bool(true),
  KB_WATCH_DEBOUNCE_MS: int(500, 0, 600_000),
  KB_TOP_K: int(4, 1, 50),
  KB_MAX_CHARS: int(3_000, 100, 100_000),
  KB_PAGE_BOOST: num(2, 0, 100),
  KB_CONTEXT_WEIGHT: num(0.3, 0, 10),
  KB_CHUNK_MAX_CHARS: int(1_200, 200, 20_000),
  KB_MAX_FILE_BYTES: int(1_048_576, 1, 100 * 1_048_576),
  KB_MAX_FILES: int(5_000, 1, 1_000_000),
  KB_CANDIDATES: int(50, 1, 1_000),
  KB_STORE: enumOf(['memory', 'postgres'], 'memory'),
  DATABASE_URL: optionalPostgresUrl,
  KB_PG_SCHEMA: z.preprocess(emptyToUndefined, z.string().regex(PG_IDENTIFIER, PG_IDENTIFIER_MESSAGE).default('public')),
  KB_PG_TABLE_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(PG_IDENTIFIER, PG_IDENTIFIER_MESSAGE).default('kb_')),
  EMBEDDINGS_PROVIDER: enumOf(['none', 'openai'], 'none'),
  EMBEDDINGS_BASE_URL: z.preprocess(emptyToUndefined, httpUrl('https://api.openai.com/v1').default('https://api.openai.com/v1')),
  EMBEDDINGS_API_KEY: optionalString,
  EMBEDDINGS_MODEL: string('text-embedding-3-small', 200),
  EMBEDDINGS_DIMENSIONS: optionalInt(1, 16_000),
  EMBEDDINGS_BATCH_SIZE: int(64, 1, 2_048),
  EMBEDDINGS_TIMEOUT_MS: int(10_000, 1, 600_000),
  EMBEDDINGS_MAX_RETRIES: int(2, 0, 10),
  EMBEDDINGS_BREAKER_THRESHOLD: int(5, 1, 1_000),
  EMBEDDINGS_BREAKER_HALF_OPEN_MS: int(30_000, 1, 3_600_000),
  EMBEDDINGS_RETRY_BASE_MS: int(500, 0, 60_000),

  // Crisp
  CRISP_WEBSITE_ID: optionalString,
  CRISP_TOKEN_IDENTIFIER: optionalString,
  CRISP_TOKEN_KEY: optionalString,
  CRISP_TOKEN_TIER: enumOf(['plugin', 'website', 'user'], 'plugin'),
  CRISP_WEBHOOK_SECRET: optionalString,
  CRISP_HOOK_SIGNING_SECRET: optionalString,
  CRISP_SIGNATURE_MAX_AGE_SECONDS: int(300, 1, 86_400),
  CRISP_API_URL: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), httpUrl('https://api.crisp.chat').default('https://api.crisp.chat')),
  CRISP_BOT_NAME: string('Copilot', 100),
  CRISP_RETRY_WINDOW_SECONDS: int(900, 1, 86_400),

  // Rasa
  RASA_URL: optionalHttpUrl('http://rasa:5005'),
  RASA_TOKEN: optionalString,
  RASA_ACTION_TOKEN: optionalString,

  // Proactive
  PROACTIVE: enumOf(['off', 'shadow', 'on'], 'off'),
  PROACTIVE_RULES_FILE: optionalString,
  PROACTIVE_MIN_INTERVAL_SECONDS: optionalInt(0, 7 * 86_400),
  PROACTIVE_MAX_PER_USER_PER_DAY: optionalInt(0, 10_000),
  PROACTIVE_MAX_PER_PRODUCT_PER_MINUTE: optionalInt(0, 10_000_000),
  PROACTIVE_PULSE_SECONDS: optionalNum(0.1, 3_600),
  PROACTIVE_CHANNELS: idList(CHANNEL_IDS, ['crisp', 'rasa', 'rest']),
  PROACTIVE_RASA_INTENT: string('EXTERNAL_proactive_nudge', 200),
  PROACTIVE_WEBHOOK_URL: optionalHttpUrl('https://example.com/hooks/nudges'),
  PROACTIVE_WEBHOOK_SECRET: optionalString,
  USER_EVENTS_HEARTBEAT_SECONDS: num(15, 0.1, 3_600),
  // Operator console
  CONSOLE_USERS: csv([]),
  CONSOLE_TOKEN: optionalString,
  CONSOLE_SESSION_TTL_SECONDS: int(28_800, 60, 604_800),
  CONSOLE_LOGIN_ATTEMPTS: int(10, 1, 10_000),
  CONSOLE_REFRESH_MS: int(2_000, 100, 60_000),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

const SECRET_NAME = /SECRET|KEY|TOKEN|PASSWORD/;

/** Validates the raw environment; throws ConfigValidationError naming every bad variable. */
export function parseEnv(raw: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.filter((p) => typeof p === 'string')[0] ?? '(environment)';
      const value = typeof key === 'string' ? raw[key] : undefined;
      const shown = value === undefined || SECRET_NAME.test(String(key)) ? '' : ` (got ${JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)})`;
      return `${String(key)}: ${issue.message}${shown}`;
    });
    throw new ConfigValidationError(problems);
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return result.data;
}
