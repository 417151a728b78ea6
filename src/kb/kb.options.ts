/**
 * Settings of the knowledge-base module. `kbConfig` (src/config/config.namespaces.ts)
 * maps the KB_* and EMBEDDINGS_* environment variables onto these fields; every field
 * but `dir` has a default, applied by resolveKbOptions.
 */
export interface KbOptions {
  /** Folder of help-center files (KB_DIR). The feature is off when undefined. */
  dir?: string;
  /** Reindex when a file in `dir` changes (KB_WATCH). Default true. */
  watch?: boolean;
  /** Quiet period after the last file change before a watch-triggered reindex (KB_WATCH_DEBOUNCE_MS). Default 500. */
  watchDebounceMs?: number;
  /** Hits returned by a search unless the caller asks otherwise (KB_TOP_K). Default 4. */
  topK?: number;
  /** Total characters of hit text returned by a search; the last hit is clipped on a word boundary (KB_MAX_CHARS). Default 3000. */
  maxChars?: number;
  /** Extra weight for chunks whose document lists the user's current page: scores are multiplied by 1 + pageBoost (KB_PAGE_BOOST). Default 2. */
  pageBoost?: number;
  /** Weight of the page title, URL words and last action label relative to the message's words (KB_CONTEXT_WEIGHT). Default 0.3. */
  contextWeight?: number;
  /** Upper bound of one chunk's text; longer sections are split at paragraph boundaries (KB_CHUNK_MAX_CHARS). Default 1200. */
  maxChunkChars?: number;
  /** Files larger than this are skipped (KB_MAX_FILE_BYTES). Default 1 MiB. */
  maxFileBytes?: number;
  /** At most this many files are read from `dir`; the rest are skipped (KB_MAX_FILES). Default 5000. */
  maxFiles?: number;
  /** Candidates taken from each of the lexical and vector rankings before fusion (KB_CANDIDATES). Default 50. */
  candidates?: number;
  /** Where chunk vectors live (KB_STORE). Default memory. Only used when embeddings are on. */
  store?: 'memory' | 'postgres';
  /** PostgreSQL connection string for store=postgres (DATABASE_URL). */
  databaseUrl?: string;
  /** Schema of the knowledge-base tables (KB_PG_SCHEMA). Default public; created when missing. */
  postgresSchema?: string;
  /** Prefix of the knowledge-base table names (KB_PG_TABLE_PREFIX). Default kb_. */
  postgresTablePrefix?: string;
  /** Semantic retrieval; off by default. */
  embeddings?: KbEmbeddingsOptions;
}

export interface KbEmbeddingsOptions {
  /** `none` (lexical only) or `openai` (any OpenAI-compatible /embeddings endpoint) (EMBEDDINGS_PROVIDER). Default none. */
  provider?: 'none' | 'openai';
  /** Base URL ending in /v1 (EMBEDDINGS_BASE_URL). Default https://api.openai.com/v1. */
  baseUrl?: string;
  /** Bearer key of the embeddings endpoint (EMBEDDINGS_API_KEY). Required for openai. */
  apiKey?: string;
  /** Embedding model name (EMBEDDINGS_MODEL). Default text-embedding-3-small. */
  model?: string;
  /** Ask the endpoint for vectors of this size, for models that support it (EMBEDDINGS_DIMENSIONS). Default: the model's own. */
  dimensions?: number;
  /** Inputs per /embeddings call (EMBEDDINGS_BATCH_SIZE). Default 64. */
  batchSize?: number;
  /** Budget of one embeddings call, retries and waits included (EMBEDDINGS_TIMEOUT_MS). Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, timeouts and network errors (EMBEDDINGS_MAX_RETRIES). Default 2. */
  maxRetries?: number;
  /** Consecutive failed calls that open the circuit breaker (EMBEDDINGS_BREAKER_THRESHOLD). Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before one trial call (EMBEDDINGS_BREAKER_HALF_OPEN_MS). Default 30000. */
  breakerHalfOpenMs?: number;
  /** First backoff when the server sends no Retry-After; doubles per retry up to 8 s. Default 500. */
  retryBaseMs?: number;
}

export type ResolvedEmbeddingsOptions =
  | { provider: 'none' }
  | {
      provider: 'openai';
      baseUrl: string;
      apiKey: string;
      model: string;
      dimensions?: number;
      batchSize: number;
      timeoutMs: number;
      maxRetries: number;
      breakerThreshold: number;
      breakerHalfOpenMs: number;
      retryBaseMs: number;
    };

export interface ResolvedKbOptions {
  dir: string;
  watch: boolean;
  watchDebounceMs: number;
  topK: number;
  maxChars: number;
  pageBoost: number;
  contextWeight: number;
  maxChunkChars: number;
  maxFileBytes: number;
  maxFiles: number;
  candidates: number;
  store: 'memory' | 'postgres';
  databaseUrl?: string;
  postgresSchema: string;
  postgresTablePrefix: string;
  embeddings: ResolvedEmbeddingsOptions;
}

export const KB_DEFAULTS = {
  watch: true,
  watchDebounceMs: 500,
  topK: 4,
  maxChars: 3_000,
  pageBoost: 2,
  contextWeight: 0.3,
  maxChunkChars: 1_200,
  maxFileBytes: 1_048_576,
  maxFiles: 5_000,
  candidates: 50,
  store: 'memory',
  postgresSchema: 'public',
  postgresTablePrefix: 'kb_',
  embeddings: {
    baseUrl: 'https://api.openai.com/v1',
    model: 'text-embedding-3-small',
    batchSize: 64,
    timeoutMs: 10_000,
    maxRetries: 2,
    breakerThreshold: 5,
    breakerHalfOpenMs: 30_000,
    retryBaseMs: 500,
  },
} as const;

/** Thrown at boot for an option that cannot work; the message names the option and its env var. */
export class KbOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KbOptionsError';
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;

function int(name: string, env: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new KbOptionsError(`KbOptions.${name} (${env}) must be an integer between ${min} and ${max}, got ${String(value)}`);
  return v;
}

function num(name: string, env: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new KbOptionsError(`KbOptions.${name} (${env}) must be a number between ${min} and ${max}, got ${String(value)}`);
  return v;
}

/** Applies defaults and refuses settings that cannot work. Call only when `dir` is set. */
export function resolveKbOptions(options: KbOptions & { dir: string }): ResolvedKbOptions {
  const store = options.store ?? KB_DEFAULTS.store;
  if (store !== 'memory' && store !== 'postgres') throw new KbOptionsError(`KbOptions.store (KB_STORE) must be memory or postgres, got ${String(store)}`);
  if (store === 'postgres' && !options.databaseUrl) throw new KbOptionsError('KbOptions.store=postgres (KB_STORE) needs databaseUrl (DATABASE_URL)');
  const postgresSchema = options.postgresSchema ?? KB_DEFAULTS.postgresSchema;
  const postgresTablePrefix = options.postgresTablePrefix ?? KB_DEFAULTS.postgresTablePrefix;
  if (!IDENTIFIER.test(postgresSchema)) throw new KbOptionsError(`KbOptions.postgresSchema (KB_PG_SCHEMA) must match ${IDENTIFIER.source}`);
  if (!IDENTIFIER.test(postgresTablePrefix)) throw new KbOptionsError(`KbOptions.postgresTablePrefix (KB_PG_TABLE_PREFIX) must match ${IDENTIFIER.source}`);
  return {
    dir: options.dir,
    watch: options.watch ?? KB_DEFAULTS.watch,
    watchDebounceMs: int('watchDebounceMs', 'KB_WATCH_DEBOUNCE_MS', options.watchDebounceMs, KB_DEFAULTS.watchDebounceMs, 0, 600_000),
    topK: int('topK', 'KB_TOP_K', options.topK, KB_DEFAULTS.topK, 1, 50),
    maxChars: int('maxChars', 'KB_MAX_CHARS', options.maxChars, KB_DEFAULTS.maxChars, 100, 100_000),
    pageBoost: num('pageBoost', 'KB_PAGE_BOOST', options.pageBoost, KB_DEFAULTS.pageBoost, 0, 100),
    contextWeight: num('contextWeight', 'KB_CONTEXT_WEIGHT', options.contextWeight, KB_DEFAULTS.contextWeight, 0, 10),
    maxChunkChars: int('maxChunkChars', 'KB_CHUNK_MAX_CHARS', options.maxChunkChars, KB_DEFAULTS.maxChunkChars, 200, 20_000),
    maxFileBytes: int('maxFileBytes', 'KB_MAX_FILE_BYTES', options.maxFileBytes, KB_DEFAULTS.maxFileBytes, 1, 100 * 1_048_576),
    maxFiles: int('maxFiles', 'KB_MAX_FILES', options.maxFiles, KB_DEFAULTS.maxFiles, 1, 1_000_000),
    candidates: int('candidates', 'KB_CANDIDATES', options.candidates, KB_DEFAULTS.candidates, 1, 1_000),
    store,
    databaseUrl: options.databaseUrl,
    postgresSchema,
    postgresTablePrefix,
    embeddings: resolveEmbeddings(options.embeddings),
  };
}

function resolveEmbeddings(e: KbEmbeddingsOptions | undefined): ResolvedEmbeddingsOptions {
  const provider = e?.provider ?? 'none';
  if (provider === 'none') return { provider };
  if (provider !== 'openai') throw new KbOptionsError(`KbOptions.embeddings.provider (EMBEDDINGS_PROVIDER) must be none or openai, got ${String(provider)}`);
  if (!e?.apiKey) throw new KbOptionsError('KbOptions.embeddings.provider=openai (EMBEDDINGS_PROVIDER) needs apiKey (EMBEDDINGS_API_KEY)');
  const d = KB_DEFAULTS.embeddings;
  return {
    provider,
    baseUrl: e.baseUrl ?? d.baseUrl,
    apiKey: e.apiKey,
    model: e.model ?? d.model,
    dimensions: e.dimensions === undefined ? undefined : int('embeddings.dimensions', 'EMBEDDINGS_DIMENSIONS', e.dimensions, 0, 1, 16_000),
    batchSize: int('embeddings.batchSize', 'EMBEDDINGS_BATCH_SIZE', e.batchSize, d.batchSize, 1, 2_048),
    timeoutMs: int('embeddings.timeoutMs', 'EMBEDDINGS_TIMEOUT_MS', e.timeoutMs, d.timeoutMs, 1, 600_000),
    maxRetries: int('embeddings.maxRetries', 'EMBEDDINGS_MAX_RETRIES', e.maxRetries, d.maxRetries, 0, 10),
    breakerThreshold: int('embeddings.breakerThreshold', 'EMBEDDINGS_BREAKER_THRESHOLD', e.breakerThreshold, d.breakerThreshold, 1, 1_000),
    breakerHalfOpenMs: int('embeddings.breakerHalfOpenMs', 'EMBEDDINGS_BREAKER_HALF_OPEN_MS', e.breakerHalfOpenMs, d.breakerHalfOpenMs, 1, 3_600_000),
    retryBaseMs: int('embeddings.retryBaseMs', 'EMBEDDINGS_RETRY_BASE_MS', e.retryBaseMs, d.retryBaseMs, 0, 60_000),
  };
}
