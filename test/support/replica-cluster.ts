import { hmacSha256Hex } from '../../src/common/secrets';
import { readJsonFixture } from './fixtures';
import { startServerProcess, type ServerProcess } from './server-process';

/**
 * Helpers for suites that run several real dist/main.js replicas on one Redis: Crisp
 * hooks signed as Crisp signs them, replica start-up, and waiting on shared state.
 */

const FIXTURE = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');
export const CRISP_WEBSITE = FIXTURE.website_id as string;
export const CRISP_HOOK_KEY = 'replica-hook-key';
export const CRISP_SIGNING = 'replica-plugin-signing-secret';

/** A visitor text message hook: the vendored Crisp fixture with another session, fingerprint and text. */
export function visitorMessage(session: string, fingerprint: number, content: string): unknown {
  return { ...FIXTURE, data: { ...FIXTURE.data, session_id: session, fingerprint, content, user: { ...FIXTURE.data.user, user_id: session } } };
}

/** One hook delivery exactly as Crisp would repeat it: the same bytes, timestamp and X-Crisp-Signature. */
export interface SignedHook {
  raw: string;
  timestamp: string;
  signature: string;
}

export function signHook(body: unknown, timestamp = String(Date.now())): SignedHook {
  const raw = JSON.stringify(body);
  return { raw, timestamp, signature: hmacSha256Hex(CRISP_SIGNING, `[${timestamp};${raw}]`) };
}

export function postHook(baseUrl: string, hook: SignedHook): Promise<Response> {
  return fetch(`${baseUrl}/crisp/hooks?key=${CRISP_HOOK_KEY}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-crisp-request-timestamp': hook.timestamp, 'x-crisp-signature': hook.signature },
    body: hook.raw,
  });
}

export function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export { sleep, until } from './wait';

/** The `/healthz` components of a replica (null when it does not answer). */
export async function components(r: ServerProcess): Promise<Record<string, any> | null> {
  const res = await fetch(`${r.url}/healthz`).catch(() => null);
  if (!res) return null;
  return ((await res.json()) as { components?: Record<string, any> }).components ?? null;
}

/** No reply job waiting, running or waiting for a retry anywhere (BullMQ counts are the shared Redis's). */
export async function queueIdle(r: ServerProcess): Promise<boolean> {
  const q = (await components(r))?.job_queue;
  return Boolean(q) && q.state === 'up' && q.waiting + q.running + q.delayed === 0;
}

/** The environment every replica of one suite shares: Redis store and BullMQ queue under `prefix`, Crisp and an OpenAI-compatible model. */
export function replicaEnv(opts: { redisUrl: string; prefix: string; crispUrl: string }): Record<string, string> {
  return {
    STORE: 'redis',
    QUEUE: 'bullmq',
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: opts.prefix,
    CHANNELS: 'rest,crisp',
    CRISP_WEBSITE_ID: CRISP_WEBSITE,
    CRISP_TOKEN_IDENTIFIER: 'replica-ident',
    CRISP_TOKEN_KEY: 'replica-key',
    CRISP_WEBHOOK_SECRET: CRISP_HOOK_KEY,
    CRISP_HOOK_SIGNING_SECRET: CRISP_SIGNING,
    CRISP_API_URL: opts.crispUrl,
    LLM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'replica-test',
    LLM_MAX_RETRIES: '0',
    SUMMARIZER: 'none',
    SHUTDOWN_TIMEOUT_MS: '3000',
    // A dead replica's jobs go to another within seconds, not the production 30 s.
    QUEUE_LOCK_MS: '2000',
  };
}

/**
 * Starts one dist/main.js per name, in parallel. Each replica's OpenAI base URL carries
 * its name (`<fake>/<name>/v1`), so the fake model sees which replica asked.
 */
export function startReplicas(names: string[], env: Record<string, string>, llmUrl: string): Promise<ServerProcess[]> {
  const origin = llmUrl.replace(/\/v1$/, '');
  return Promise.all(names.map((name) => startServerProcess({ ...env, OPENAI_BASE_URL: `${origin}/${name}/v1` }, 60_000, { entry: 'dist' })));
}

/** Which replica (by name) sent a request the fake model recorded at `path` (`/<name>/v1/chat/completions`). */
export const askedBy = (path: string): string => path.split('/')[1];
