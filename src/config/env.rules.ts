import { readFileSync, statSync } from 'node:fs';
import type { Env, SourceId } from './env.schema';

/** SOURCES, with its default: push and posthog, plus stream when STREAM_URL is set. */
export function enabledSources(env: Pick<Env, 'SOURCES' | 'STREAM_URL'>): SourceId[] {
  return env.SOURCES ?? ['push', 'posthog', ...(env.STREAM_URL ? (['stream'] as const) : [])];
}

/** Whether /v1/browser/* and /sdk/widget.js are mounted (see browserConfig). */
export function browserEndpointsOn(env: Pick<Env, 'BROWSER_ENDPOINTS' | 'USER_TOKEN_SECRET' | 'BROWSER_ALLOWED_ORIGINS' | 'NODE_ENV'>): boolean {
  if (!env.USER_TOKEN_SECRET) return false;
  return env.BROWSER_ENDPOINTS ?? (env.NODE_ENV !== 'production' || env.BROWSER_ALLOWED_ORIGINS.length > 0);
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

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The knowledge base's requirements; it has none while KB_DIR is unset (the feature is off). */
function knowledgeBaseProblems(env: Env): string[] {
  if (!env.KB_DIR) return [];
  const problems: string[] = [];
  if (!isFolder(env.KB_DIR)) problems.push(`KB_DIR: ${env.KB_DIR} does not exist or is not a folder`);
  if (env.KB_STORE === 'postgres' && !env.DATABASE_URL) problems.push('DATABASE_URL is required when KB_STORE=postgres');
  if (env.EMBEDDINGS_PROVIDER === 'openai' && !env.EMBEDDINGS_API_KEY) {
    problems.push('EMBEDDINGS_API_KEY is required when EMBEDDINGS_PROVIDER=openai (any non-empty value for keyless OpenAI-compatible servers)');
  }
  return problems;
}

/**
 * Every authenticated surface and the secret that closes it. In production each one
 * must have its secret (or the operator says ALLOW_UNAUTHENTICATED=true): the user
 * context route is always mounted, so API_KEYS is required whatever CHANNELS says.
 */
function openSurfaces(env: Env): string[] {
  const sources = enabledSources(env);
  const open: string[] = [];
  if (env.API_KEYS.length === 0) open.push(`API_KEYS (for /v1/users/:id/context, /v1/chat and /reply${env.KB_DIR ? ', /v1/kb/*' : ''})`);
  if (sources.includes('push') && !env.CONNECTOR_WEBHOOK_SECRET) open.push('CONNECTOR_WEBHOOK_SECRET (for POST /v1/activity; or leave push out of SOURCES)');
  if (sources.includes('posthog') && !env.POSTHOG_WEBHOOK_SECRET) open.push('POSTHOG_WEBHOOK_SECRET (for POST /v1/activity/posthog; or leave posthog out of SOURCES)');
  if (env.CHANNELS.includes('rasa') && !env.RASA_ACTION_TOKEN) open.push('RASA_ACTION_TOKEN (for /rasa/webhook and /rasa/actions)');
  return open;
}

/** Requirements that depend on other values (an enabled part needs its variables). */
export function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.LLM_PROVIDER === 'openai' && !env.OPENAI_API_KEY) {
    problems.push('OPENAI_API_KEY is required when LLM_PROVIDER=openai (any non-empty value for keyless OpenAI-compatible servers)');
  }
  if (env.LLM_PROVIDER === 'anthropic' && !env.ANTHROPIC_API_KEY) problems.push('ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic');
  if (env.ROLE !== 'all' && (env.QUEUE !== 'bullmq' || env.STORE !== 'redis')) {
    problems.push(`ROLE=${env.ROLE} needs STORE=redis and QUEUE=bullmq (replicas share their state and jobs through Redis)`);
  }
  const sources = enabledSources(env);
  if (sources.includes('stream') && !env.STREAM_URL) problems.push('STREAM_URL is required when SOURCES contains stream');
  if (sources.includes('stream') && !env.UNKEY_API_KEY) problems.push('UNKEY_API_KEY is required when the stream source is on (STREAM_URL is set)');
  if (env.CHANNELS.includes('crisp')) {
    for (const key of ['CRISP_WEBSITE_ID', 'CRISP_TOKEN_IDENTIFIER', 'CRISP_TOKEN_KEY', 'CRISP_WEBHOOK_SECRET'] as const) {
      if (!env[key]) problems.push(`${key} is required when CHANNELS contains crisp`);
    }
  }
  if (env.IDENTITY_VERIFICATION === 'required' && !env.USER_TOKEN_SECRET) problems.push('USER_TOKEN_SECRET is required when IDENTITY_VERIFICATION=required');
  if (env.SUMMARY_PROMPT_FILE) {
    const problem = promptFileProblem(env.SUMMARY_PROMPT_FILE);
    if (problem) problems.push(`SUMMARY_PROMPT_FILE: ${problem}`);
  }
  problems.push(...knowledgeBaseProblems(env));
  if (env.PROACTIVE_WEBHOOK_URL && !env.PROACTIVE_WEBHOOK_SECRET) problems.push('PROACTIVE_WEBHOOK_SECRET is required when PROACTIVE_WEBHOOK_URL is set (every webhook call is signed)');
  for (const origin of env.BROWSER_ALLOWED_ORIGINS) {
    // An origin is what a browser sends in the Origin header: scheme, host and port, no path.
    if (!/^https?:\/\/[^/\s?#]+$/.test(origin)) problems.push(`BROWSER_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path or trailing slash)`);
  }
  if (env.BROWSER_ENDPOINTS === true && !env.USER_TOKEN_SECRET) problems.push('USER_TOKEN_SECRET is required when BROWSER_ENDPOINTS=true (browser requests are accepted only with a user token)');
  if (env.NODE_ENV === 'production' && browserEndpointsOn(env) && env.BROWSER_ALLOWED_ORIGINS.length === 0) {
    problems.push('BROWSER_ALLOWED_ORIGINS must name the origins of your pages when the browser endpoints are on in production (or set BROWSER_ENDPOINTS=false)');
  }
  if (env.DEMO && !browserEndpointsOn(env)) problems.push('DEMO=true needs USER_TOKEN_SECRET and the browser endpoints (the demo pages chat through the browser snippet; npm run demo sets both)');
  if (env.NODE_ENV === 'production' && env.DEMO) problems.push('DEMO=true is refused when NODE_ENV=production (the demo mints user tokens for anyone who opens /demo)');
  problems.push(...consoleProblems(env));
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) problems.push('METRICS_PORT must differ from PORT (metrics get their own listener)');
  if (env.NODE_ENV === 'production' && !env.ALLOW_UNAUTHENTICATED) {
    for (const what of openSurfaces(env)) {
      problems.push(`${what} must be set when NODE_ENV=production, or set ALLOW_UNAUTHENTICATED=true to run that endpoint open`);
    }
  }
  return problems;
}

/** `name:scrypt$N$r$p$salt$key` (salt and key base64url), as `npm run console:hash-password` prints it. */
export const CONSOLE_USER_ENTRY = /^([A-Za-z0-9._@-]{1,64}):(scrypt\$\d{1,8}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,})$/;
/** A console token shorter than this could be guessed within the login rate limit's lifetime. */
export const CONSOLE_TOKEN_MIN_CHARS = 16;

function consoleProblems(env: Env): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const entry of env.CONSOLE_USERS) {
    const m = CONSOLE_USER_ENTRY.exec(entry);
    // The entry itself is never echoed: it holds a password hash.
    if (!m) problems.push(`CONSOLE_USERS: each entry must be name:scrypt$N$r$p$salt$key as printed by npm run console:hash-password (entry ${names.size + 1} is not)`);
    else if (names.has(m[1])) problems.push(`CONSOLE_USERS: the user name ${m[1]} appears twice`);
    if (m) names.add(m[1]);
  }
  if (env.CONSOLE_TOKEN !== undefined && env.CONSOLE_TOKEN.length < CONSOLE_TOKEN_MIN_CHARS) problems.push(`CONSOLE_TOKEN must be at least ${CONSOLE_TOKEN_MIN_CHARS} characters`);
  return problems;
}

/** The surfaces a development boot leaves open (listed in the start-up banner). */
export function openSurfacesForBanner(env: Env): string[] {
  return openSurfaces(env).map((s) => s.replace(/ \(.*$/, ''));
}
