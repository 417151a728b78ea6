import { z } from 'zod';
import {
  bool,
  byteSize,
  csv,
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
