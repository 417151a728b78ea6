import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { browserConfig, kbConfig, llmConfig } from './config.namespaces';
import { ConfigValidationError, envSchema, parseEnv, toBytes } from './env.schema';
import { loadEnv } from './load-env';
import { parseEnvExample, readmeWithConfigTable } from '../../scripts/config-docs';

const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    parseEnv(raw);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  return [];
};

describe('environment validation', () => {
  it('boots with no variables at all (embedded defaults)', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, STORE: 'memory', CHANNELS: ['rest'], LOOKBACK_SECONDS: 300, MAX_ACTIONS: 30, BODY_LIMIT: '1mb' });
    expect(llmConfig.build(env).provider).toBe('offline');
  });

  it('defaults the LLM provider to openai when a key is present, and never silently to offline', () => {
    expect(llmConfig.build(parseEnv({ OPENAI_API_KEY: 'sk-x' })).provider).toBe('openai');
    expect(llmConfig.build(parseEnv({ OPENAI_API_KEY: 'sk-x', LLM_PROVIDER: 'offline' })).provider).toBe('offline');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT:'],
    [{ PORT: '70000' }, 'PORT:'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL:'],
    [{ CHANNELS: 'rest,telegram' }, 'CHANNELS:'],
    [{ STORE: 'mongo' }, 'STORE:'],
    [{ LLM_PROVIDER: 'gemini' }, 'LLM_PROVIDER:'],
    [{ LLM_TEMPERATURE: 'hot' }, 'LLM_TEMPERATURE:'],
    [{ BODY_LIMIT: 'huge' }, 'BODY_LIMIT:'],
    [{ STREAM_URL: 'not a url' }, 'STREAM_URL:'],
    [{ ALLOW_UNAUTHENTICATED: 'maybe' }, 'ALLOW_UNAUTHENTICATED:'],
    [{ LLM_PROVIDER: 'openai' }, 'OPENAI_API_KEY is required'],
    [{ LLM_PROVIDER: 'anthropic' }, 'ANTHROPIC_API_KEY is required'],
    [{ ROLE: 'worker', STORE: 'redis' }, 'ROLE=worker needs STORE=redis and QUEUE=bullmq'],
    [{ ROLE: 'web', QUEUE: 'bullmq' }, 'ROLE=web needs STORE=redis and QUEUE=bullmq'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ STORE: 'redis', REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ STREAM_URL: 'https://connector.example/stream/p' }, 'UNKEY_API_KEY is required'],
    [{ CHANNELS: 'crisp' }, 'CRISP_WEBSITE_ID is required'],
    [{ BROWSER_ENDPOINTS: 'true' }, 'USER_TOKEN_SECRET is required when BROWSER_ENDPOINTS=true'],
    [{ USER_TOKEN_SECRET: 's', BROWSER_ALLOWED_ORIGINS: 'https://app.example.com/' }, 'BROWSER_ALLOWED_ORIGINS: "https://app.example.com/" is not an origin'],
    [{ NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true', USER_TOKEN_SECRET: 's', BROWSER_ENDPOINTS: 'true' }, 'BROWSER_ALLOWED_ORIGINS must name the origins'],
    [{ NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true', DEMO: 'true' }, 'DEMO=true is refused when NODE_ENV=production'],
    [{ DEMO: 'true' }, 'DEMO=true needs USER_TOKEN_SECRET'],
    [{ DEMO: 'true', USER_TOKEN_SECRET: 's', BROWSER_ENDPOINTS: 'false' }, 'DEMO=true needs USER_TOKEN_SECRET and the browser endpoints'],
  ])('%j fails naming the variable', (raw, expected) => {
    const problems = problemsOf(raw as Record<string, string>);
    expect(problems.join('\n')).toContain(expected);
  });

  it('turns the browser endpoints on with USER_TOKEN_SECRET, in production only with allowed origins, and ignores unknown variables', () => {
    const on = (raw: Record<string, string>) => browserConfig.build(parseEnv(raw)).enabled;
    expect(on({})).toBe(false);
    expect(on({ USER_TOKEN_SECRET: 's' })).toBe(true);
    expect(on({ USER_TOKEN_SECRET: 's', BROWSER_ENDPOINTS: 'false' })).toBe(false);
    expect(on({ NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true', USER_TOKEN_SECRET: 's' })).toBe(false);
    expect(on({ NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true', USER_TOKEN_SECRET: 's', BROWSER_ALLOWED_ORIGINS: 'https://app.example.com' })).toBe(true);
    // npm run demo sets variables another part of the build may not know yet (PROACTIVE, KB_DIR): they must not stop a boot.
    expect(() => parseEnv({ PROACTIVE: 'on', PROACTIVE_RULES_FILE: 'examples/demo/rules.yml', KB_DIR: 'examples/kb' })).not.toThrow();
  });

  it('lists every missing Crisp variable at once', () => {
    const text = problemsOf({ CHANNELS: 'rest,crisp', CRISP_WEBSITE_ID: 'w' }).join('\n');
    for (const key of ['CRISP_TOKEN_IDENTIFIER', 'CRISP_TOKEN_KEY', 'CRISP_WEBHOOK_SECRET']) expect(text).toContain(key);
    expect(text).not.toContain('CRISP_WEBSITE_ID');
  });

  it('shows the offending value, so the operator sees what was read', () => {
    expect(problemsOf({ LLM_TIMEOUT_MS: 'abc' }).join('\n')).toContain('LLM_TIMEOUT_MS: must be a number (got "abc")');
    expect(problemsOf({ OPENAI_BASE_URL: 'not-a-url' }).join('\n')).toContain('OPENAI_BASE_URL: must be a http or https URL such as http://localhost:11434/v1 (got "not-a-url")');
  });

  it.each([
    [{ LLM_TEMPERATURE: '5' }, 'LLM_TEMPERATURE: must be between 0 and 2 (got "5")'],
    [{ LLM_TEMPERATURE: '-1' }, 'LLM_TEMPERATURE: must be between 0 and 2 (got "-1")'],
    [{ PORT: '70000' }, 'PORT: must be between 0 and 65535 (got "70000")'],
    [{ MAX_ACTIONS: '0' }, 'MAX_ACTIONS: must be between 1 and 10000 (got "0")'],
    [{ LOOKBACK_SECONDS: '0' }, 'LOOKBACK_SECONDS: must be at least 1 (got "0")'],
    [{ SUMMARY_CONCURRENCY: '2.5' }, 'SUMMARY_CONCURRENCY: must be a whole number (got "2.5")'],
    [{ OPENAI_BASE_URL: 'localhost:1234' }, 'OPENAI_BASE_URL: must be a http or https URL'],
    [{ CRISP_API_URL: 'ftp://api.crisp.chat' }, 'CRISP_API_URL: must be a http or https URL'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL: must be a redis or rediss URL'],
    [{ SOURCES: 'push,kafka' }, 'SOURCES: each entry must be one of push, posthog, stream'],
    [{ SOURCES: 'stream' }, 'STREAM_URL is required when SOURCES contains stream'],
    [{ METRICS_PORT: '3000' }, 'METRICS_PORT must differ from PORT'],
    [{ SUMMARY_PROMPT_FILE: '/nonexistent/prompt.txt' }, 'SUMMARY_PROMPT_FILE: cannot read /nonexistent/prompt.txt: ENOENT'],
  ])('%j is refused with a message naming the rule', (raw, expected) => {
    expect(problemsOf(raw as Record<string, string>).join('\n')).toContain(expected);
  });

  describe('knowledge base', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-kb-'));
    it('is off without KB_DIR, and then none of its rules apply', () => {
      const env = parseEnv({ KB_STORE: 'postgres', EMBEDDINGS_PROVIDER: 'openai' });
      expect(kbConfig.build(env)).toMatchObject({ dir: undefined, topK: 4, maxChars: 3_000, pageBoost: 2, store: 'postgres', embeddings: { provider: 'openai', apiKey: undefined } });
    });
    it('maps every variable onto the KbModule options', () => {
      const env = parseEnv({
        KB_DIR: dir, KB_WATCH: 'false', KB_TOP_K: '6', KB_MAX_CHARS: '1500', KB_PAGE_BOOST: '0.5', KB_STORE: 'postgres', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
        KB_PG_TABLE_PREFIX: 'help_', EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_API_KEY: 'sk-e', EMBEDDINGS_MODEL: 'm', EMBEDDINGS_BATCH_SIZE: '8', EMBEDDINGS_DIMENSIONS: '256',
      });
      expect(kbConfig.build(env)).toMatchObject({
        dir, watch: false, topK: 6, maxChars: 1_500, pageBoost: 0.5, store: 'postgres', databaseUrl: 'postgres://u@127.0.0.1:5432/db', postgresSchema: 'public', postgresTablePrefix: 'help_',
        embeddings: { provider: 'openai', apiKey: 'sk-e', model: 'm', batchSize: 8, dimensions: 256, baseUrl: 'https://api.openai.com/v1', timeoutMs: 10_000 },
      });
    });
    it.each([
      [{ KB_DIR: '/nonexistent/kb' }, 'KB_DIR: /nonexistent/kb does not exist or is not a folder'],
      [{ KB_DIR: dir, KB_STORE: 'postgres' }, 'DATABASE_URL is required when KB_STORE=postgres'],
      [{ KB_DIR: dir, EMBEDDINGS_PROVIDER: 'openai' }, 'EMBEDDINGS_API_KEY is required when EMBEDDINGS_PROVIDER=openai'],
      [{ KB_STORE: 'sqlite' }, 'KB_STORE: must be one of memory, postgres'],
      [{ DATABASE_URL: 'mysql://x@h/db' }, 'DATABASE_URL: must be a postgres or postgresql URL'],
      [{ KB_TOP_K: '0' }, 'KB_TOP_K: must be between 1 and 50 (got "0")'],
      [{ KB_PG_SCHEMA: 'Public; drop' }, 'KB_PG_SCHEMA: must be a lowercase identifier'],
      [{ EMBEDDINGS_BASE_URL: 'localhost:1234' }, 'EMBEDDINGS_BASE_URL: must be a http or https URL'],
    ])('%j is refused', (raw, expected) => {
      expect(problemsOf(raw as Record<string, string>).join('\n')).toContain(expected);
    });
  });

  describe('production guard', () => {
    const secured = {
      NODE_ENV: 'production', API_KEYS: 'k1', CONNECTOR_WEBHOOK_SECRET: 's', POSTHOG_WEBHOOK_SECRET: 'p',
    };
    it('starts when every public endpoint has its secret', () => {
      expect(problemsOf(secured)).toEqual([]);
    });
    it('refuses an open public endpoint, naming the secret to set', () => {
      const { API_KEYS: _omit, ...open } = secured;
      const text = problemsOf(open).join('\n');
      expect(text).toContain('API_KEYS');
      expect(text).toContain('ALLOW_UNAUTHENTICATED=true');
    });
    it('accepts an explicit ALLOW_UNAUTHENTICATED=true', () => {
      expect(problemsOf({ NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true' })).toEqual([]);
    });
    it('requires RASA_ACTION_TOKEN when rasa is enabled', () => {
      expect(problemsOf({ ...secured, CHANNELS: 'rest,rasa' }).join('\n')).toContain('RASA_ACTION_TOKEN');
    });
  });

  it('AppModule.forRoot refuses to build with a bad value', () => {
    expect(() => AppModule.forRoot({ env: { MAX_ACTIONS: '-3' } })).toThrow(/MAX_ACTIONS/);
  });

  it('reads a .env file under the real environment (environment wins)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'MAX_ACTIONS=12\nLOOKBACK_SECONDS=99\n');
    const before = process.env.LOOKBACK_SECONDS;
    process.env.LOOKBACK_SECONDS = '77';
    try {
      const env = loadEnv({ envFile: file });
      expect(env.MAX_ACTIONS).toBe(12);
      expect(env.LOOKBACK_SECONDS).toBe(77);
    } finally {
      if (before === undefined) delete process.env.LOOKBACK_SECONDS;
      else process.env.LOOKBACK_SECONDS = before;
    }
  });

  it('.env.example lists every variable of the schema, and nothing else', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('gives every variable in .env.example its own description', () => {
    const docs = parseEnvExample(readFileSync(join(__dirname, '../../.env.example'), 'utf8'));
    for (const d of docs) expect({ name: d.name, described: d.description.length > 10 }).toEqual({ name: d.name, described: true });
    const byText = new Map<string, string[]>();
    for (const d of docs) byText.set(d.description, [...(byText.get(d.description) ?? []), d.name]);
    const shared = [...byText.values()].filter((names) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it('the README configuration table is the one generated from .env.example (npm run docs:config)', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    expect(readme).toBe(readmeWithConfigTable(readme, example));
    const table = readme.slice(readme.indexOf('<!-- section: config-table -->'));
    const listed = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('converts sizes to bytes', () => {
    expect(toBytes('1mb')).toBe(1_048_576);
    expect(toBytes('512kb')).toBe(524_288);
    expect(toBytes('2048')).toBe(2_048);
  });
});
