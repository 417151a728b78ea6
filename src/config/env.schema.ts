import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The single source of truth for environment variables. Parsed once per boot by
 * `parseEnv`; every other file reads typed namespaces (see config.namespaces.ts).
 * Keep `.env.example` in step with this file (a spec checks that every key is listed).
 */

const CHANNEL_IDS = ['crisp', 'rasa', 'rest'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url({ message: 'must be an absolute URL' }).optional());
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyToUndefined, z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(min).max(max).default(def));
const num = (def: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number({ error: 'must be a number' }).min(min).max(max).default(def));
const bool = (def: boolean) =>
  z.preprocess(
    (v) => {
      const s = emptyToUndefined(v);
      if (s === undefined) return undefined;
      if (typeof s === 'boolean') return s;
      const t = String(s).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return s;
    },
    z.boolean({ message: 'must be true or false' }).default(def),
  );
const csv = (def: string[]) =>
  z.preprocess(
    (v) => {
      const s = emptyToUndefined(v);
      if (s === undefined) return undefined;
      return String(s)
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    },
    z.array(z.string()).default(def),
  );

/** `1mb`, `512kb`, `2048` (bytes). */
const byteSize = (def: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(\.\d+)?\s*(b|kb|mb)?$/i, 'must be a size such as 1mb, 512kb or 1048576')
      .default(def),
  );

export const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: int(3000, 0, 65535),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  BODY_LIMIT: byteSize('1mb'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  CHANNELS: csv(['rest']).pipe(
    z.array(z.enum(CHANNEL_IDS, { message: `each entry must be one of ${CHANNEL_IDS.join(', ')}` })),
  ),
  STORE: z.preprocess(emptyToUndefined, z.enum(['memory', 'redis']).default('memory')),
  REDIS_URL: optionalUrl,
  QUEUE: z.preprocess(emptyToUndefined, z.enum(['memory', 'bullmq']).default('memory')),
  REDIS_KEY_PREFIX: z.preprocess(emptyToUndefined, z.string().max(64).default('ac:')),
  STATE_MAX_BYTES: byteSize('64mb'),
  API_KEYS: csv([]),
  ALLOW_UNAUTHENTICATED: bool(false),

  // Activity and session store
  LOOKBACK_SECONDS: int(300, 1),
  MAX_ACTIONS: int(30, 1, 10_000),
  MAX_SESSIONS: int(50_000, 1),
  MAX_SESSIONS_PER_USER: int(20, 1, 1_000),
  MAX_USERS: int(100_000, 1),
  SESSION_TTL_SECONDS: int(86_400, 1),

  // Activity sources
  CONNECTOR_WEBHOOK_SECRET: optionalString,
  STREAM_URL: optionalUrl,
  UNKEY_API_KEY: optionalString,
  STREAM_IDLE_TIMEOUT_MS: int(90_000, 1),
  STREAM_BUFFER_SIZE: int(1_000, 1),
  STREAM_CONNECT_TIMEOUT_MS: int(10_000, 1),
  POSTHOG_WEBHOOK_SECRET: optionalString,
  POSTHOG_PRODUCT_ID: z.preprocess(emptyToUndefined, z.string().default('posthog')),

  // LLM
  LLM_PROVIDER: z.preprocess(emptyToUndefined, z.enum(['openai', 'anthropic', 'offline']).optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  LLM_MODEL: optionalString,
  LLM_TEMPERATURE: num(0.3, 0, 2),
  LLM_MAX_TOKENS: int(512, 1, 100_000),
  LLM_TIMEOUT_MS: int(20_000, 1),
  LLM_MAX_RETRIES: int(2, 0, 10),
  LLM_BREAKER_THRESHOLD: int(5, 1),
  LLM_BREAKER_HALF_OPEN_MS: int(30_000, 1),

  // Summarizer
  SUMMARIZER: z.preprocess(emptyToUndefined, z.enum(['llm', 'none']).default('llm')),
  SUMMARY_THRESHOLD: int(10, 1, 10_000),
  SUMMARY_PROMPT_FILE: optionalString,
  SUMMARY_RETRY_BASE_MS: int(5_000, 1),
  SUMMARY_RETRY_MAX_MS: int(300_000, 1),
  SUMMARY_CONCURRENCY: int(4, 1, 256),
  SUMMARY_TEMPERATURE: z.preprocess(emptyToUndefined, z.coerce.number({ error: 'must be a number' }).min(0).max(2).optional()),

  // Copilot
  HISTORY_TURNS: int(10, 0, 200),
  MAX_CONTEXT_CHARS: int(6_000, 200, 200_000),
  MAX_CONVERSATIONS: int(100_000, 1),
  RATE_LIMIT_PER_MINUTE: int(30, 1),

  // Crisp
  CRISP_WEBSITE_ID: optionalString,
  CRISP_TOKEN_IDENTIFIER: optionalString,
  CRISP_TOKEN_KEY: optionalString,
  CRISP_TOKEN_TIER: z.preprocess(emptyToUndefined, z.enum(['plugin', 'website', 'user']).default('plugin')),
  CRISP_WEBHOOK_SECRET: optionalString,
  CRISP_HOOK_SIGNING_SECRET: optionalString,
  CRISP_API_URL: z.preprocess(emptyToUndefined, z.url({ message: 'must be an absolute URL' }).default('https://api.crisp.chat')),
  CRISP_BOT_NAME: z.preprocess(emptyToUndefined, z.string().default('Copilot')),

  // Rasa
  RASA_URL: optionalUrl,
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

/** Requirements that depend on other values (an enabled part needs its variables). */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  const provider = env.LLM_PROVIDER;
  if (provider === 'openai' && !env.OPENAI_API_KEY) {
    problems.push('OPENAI_API_KEY is required when LLM_PROVIDER=openai (any non-empty value for keyless OpenAI-compatible servers)');
  }
  if (provider === 'anthropic' && !env.ANTHROPIC_API_KEY) {
    problems.push('ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic');
  }
  if (env.STORE === 'redis') problems.push('STORE=redis is not available in this build yet (supported: memory)');
  if (env.QUEUE === 'bullmq') problems.push('QUEUE=bullmq is not available in this build yet (supported: memory)');
  if (env.STREAM_URL && !env.UNKEY_API_KEY) problems.push('UNKEY_API_KEY is required when STREAM_URL is set');
  if (env.SUMMARY_PROMPT_FILE) {
    const problem = promptFileProblem(env.SUMMARY_PROMPT_FILE);
    if (problem) problems.push(`SUMMARY_PROMPT_FILE: ${problem}`);
  }
  if (env.CHANNELS.includes('crisp')) {
    for (const key of ['CRISP_WEBSITE_ID', 'CRISP_TOKEN_IDENTIFIER', 'CRISP_TOKEN_KEY', 'CRISP_WEBHOOK_SECRET'] as const) {
      if (!env[key]) problems.push(`${key} is required when CHANNELS contains crisp`);
    }
  }
  if (env.NODE_ENV === 'production' && !env.ALLOW_UNAUTHENTICATED) {
    const open: string[] = [];
    if (env.CHANNELS.includes('rest') && env.API_KEYS.length === 0) open.push('API_KEYS (for /v1/chat, /v1/users and /reply)');
    if (!env.CONNECTOR_WEBHOOK_SECRET) open.push('CONNECTOR_WEBHOOK_SECRET (for POST /v1/activity)');
    if (!env.POSTHOG_WEBHOOK_SECRET) open.push('POSTHOG_WEBHOOK_SECRET (for POST /v1/activity/posthog)');
    if (env.CHANNELS.includes('rasa') && !env.RASA_ACTION_TOKEN) open.push('RASA_ACTION_TOKEN (for /rasa/webhook)');
    for (const what of open) {
      problems.push(`${what} must be set when NODE_ENV=production, or set ALLOW_UNAUTHENTICATED=true to run that endpoint open`);
    }
  }
  return problems;
}

/** Why a summary prompt template file cannot be used, if it cannot. */
function promptFileProblem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  return text.includes('{actions}') ? undefined : 'the template must contain the placeholder {actions}';
}

/** Validates the raw environment; throws ConfigValidationError naming every bad variable. */
export function parseEnv(raw: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.filter((p) => typeof p === 'string')[0] ?? '(environment)';
      const value = typeof key === 'string' ? raw[key] : undefined;
      const secret = /SECRET|KEY|TOKEN|PASSWORD/.test(String(key));
      const shown = value === undefined || secret ? '' : ` (got ${JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)})`;
      return `${String(key)}: ${issue.message}${shown}`;
    });
    throw new ConfigValidationError(problems);
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return result.data;
}

/** Byte count for BODY_LIMIT-style values. */
export function toBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(size.trim());
  if (!m) throw new Error(`invalid size ${size}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.floor(unit === 'mb' ? n * 1024 * 1024 : unit === 'kb' ? n * 1024 : n);
}
