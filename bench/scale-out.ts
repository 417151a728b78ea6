/**
 * Scale-out benchmark (issue 14): the Redis and BullMQ drivers beside the memory driver,
 * measured in the same run on the same machine:
 *  1. ingest in-process: appendActions on the memory store vs the Redis store (appends in
 *     flight across sessions, as ingest runs under load) — bench/store-workload.ts;
 *  2. POST /v1/activity over HTTP against a real dist/main.js, STORE=memory vs STORE=redis
 *     (autocannon in its own process, bench/http-ack-load.child.ts), one server at a time;
 *  3. reply overhead (context assembly + prompt + recording the turn, instant LLM) among
 *     10,000 sessions — bench/reply-overhead.ts on the memory stores and on the Redis stores;
 *  4. Redis memory per session: 10,000 sessions × 30 actions, INFO memory used_memory
 *     before and after, on a key prefix of its own;
 *  5. Crisp acknowledgement: handled hooks (a reply is queued for each) against two
 *     ROLE=web replicas with one ROLE=worker delivering the replies to a fake Crisp (its own
 *     process, bench/crisp-fake.child.ts), beside one ROLE=all memory process.
 * Everything written to Redis is under `bench-scale:<pid>:` and removed at the end.
 * Redis: by default a redis-server of its own on a free loopback port (no persistence, as the
 * shared one here), so the Redis CPU and commands per request it reports are this bench's alone,
 * not those of whatever else uses the machine's Redis; REDIS_URL=redis://… runs against that one.
 * Run: npm run bench:scale   (SCALE_DURATION_S=10;
 *      SCALE_ONLY=http,ingest,reply,memory,crisp runs only those parts, e.g. while tuning one;
 *      SCALE_CPU_PROF=<dir> runs the POST /v1/activity servers under `node --cpu-prof`, profiles
 *      written there on exit, summarised by bench/cpuprofile-top.ts)
 */
import { Logger } from '@nestjs/common';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { MemorySessionStore } from '../src/activity/session-store/memory.session-store';
import { RedisSessionStore } from '../src/activity/session-store/redis.session-store';
import { MemoryConversationStore } from '../src/copilot/memory.conversation-store';
import { RedisConversationStore } from '../src/copilot/redis.conversation-store';
import { RedisConnection } from '../src/redis/redis-connection';
import { freePort } from '../test/support/redis';
import { ensureDistBuilt, killAllServerProcesses, startServerProcess, type ServerProcess } from '../test/support/server-process';
import type { LoadResult, LoadSpec } from './http-ack-load.child';
import { replyOverhead, sessionStoreOpts, type ReplyOverhead } from './reply-overhead';
import { appendLoad, fmt, removePrefix, storeOpts, usedMemory } from './store-workload';

Logger.overrideLogger(false);

let REDIS_URL = process.env.REDIS_URL ?? '';
const PREFIX = `bench-scale:${process.pid}:`;
const DURATION_S = Number(process.env.SCALE_DURATION_S ?? 10);
const WARMUP_S = 2;
const PARTS = ['ingest', 'http', 'reply', 'memory', 'crisp'] as const;
const ONLY = new Set((process.env.SCALE_ONLY ?? PARTS.join(',')).split(',').map((p) => p.trim()));
const unknownPart = [...ONLY].find((p) => !(PARTS as readonly string[]).includes(p));
if (unknownPart) throw new Error(`SCALE_ONLY: unknown part ${unknownPart} (parts: ${PARTS.join(', ')})`);
/** Runs one part of the bench when SCALE_ONLY selects it. */
const part = <T>(name: (typeof PARTS)[number], run: () => Promise<T>): Promise<T | undefined> => (ONLY.has(name) ? run() : Promise.resolve(undefined));
const CONNECTIONS = 32;
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
const ROOT = join(__dirname, '..');
const HOOK_KEY = 'bench-hook-key';
const CPU_PROF_DIR = process.env.SCALE_CPU_PROF;

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

const crispFixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/crisp/webhook_message_send.quickstart.json'), 'utf8'));
const connectorFixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/connector/actions-event.integration-guide.json'), 'utf8'));
/** Templates rendered by the load child: {{n}} request number, {{s}} one of 1,000 sessions. */
const ACTIVITY = JSON.stringify({ ...connectorFixture, session_id: 'bench_sess_{{s}}', user_id: 'bench_user_{{s}}' });
const HANDLED_HOOK = JSON.stringify({
  ...crispFixture,
  data: { ...crispFixture.data, session_id: 'session_bench_{{s}}', content: 'How do I export my invoices? ({{n}})', fingerprint: '__FP__', user: { nickname: 'visitor{{s}}', user_id: 'session_bench_{{s}}' } },
}).replace('"__FP__"', '150698{{n}}');

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** autocannon in its own process, so its CPU is not ours; resolves with what it measured. */
async function load(url: string, template: string | undefined, offset: number, durationS: number, connections = CONNECTIONS): Promise<LoadResult> {
  const child = fork(join(__dirname, 'http-ack-load.child.ts'), [], { execArgv: TS_NODE });
  children.add(child);
  const spec: LoadSpec = { url, method: template ? 'POST' : 'GET', template, offset, connections, durationS };
  const result = once(child, 'message') as Promise<[LoadResult]>;
  child.send(spec);
  const [r] = await result;
  children.delete(child);
  return r;
}

const perSecond = (r: LoadResult) => r.requests / r.durationS;

async function fakeCrisp(): Promise<{ child: ChildProcess; url: string; ask: (m: 'count' | 'reset') => Promise<{ sent?: number }> }> {
  const child = fork(join(__dirname, 'crisp-fake.child.ts'), [], { execArgv: TS_NODE });
  children.add(child);
  const [msg] = (await once(child, 'message')) as [{ url: string }];
  const ask = async (m: 'count' | 'reset') => {
    const reply = once(child, 'message') as Promise<[{ sent?: number }]>;
    child.send(m);
    return (await reply)[0];
  };
  return { child, url: msg.url, ask };
}

const redisEnv = (prefix: string) => ({ STORE: 'redis', QUEUE: 'bullmq', REDIS_URL, REDIS_KEY_PREFIX: prefix });
const serverEnv = { LOG_LEVEL: 'warn', NODE_ENV: 'development', LLM_PROVIDER: 'offline', SUMMARIZER: 'none', QUEUE_MAX_PENDING: '10000000' };

/** CPU time redis-server has used so far (INFO cpu: user + system), in ms. */
async function redisCpuMs(admin: RedisConnection): Promise<number> {
  const info = await admin.client.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/** CPU µs per request over a measured window: the service processes and redis-server, apart. */
interface CpuSplit {
  serviceUs: number;
  redisUs: number;
}

async function cpuWindow<T>(admin: RedisConnection, servers: ServerProcess[], requests: (r: T) => number, work: () => Promise<T>): Promise<{ result: T; cpu: CpuSplit }> {
  const service0 = servers.reduce((n, s) => n + s.cpuMs(), 0);
  const redis0 = await redisCpuMs(admin);
  const result = await work();
  const n = Math.max(1, requests(result));
  const serviceUs = ((servers.reduce((m, s) => m + s.cpuMs(), 0) - service0) * 1000) / n;
  return { result, cpu: { serviceUs, redisUs: (((await redisCpuMs(admin)) - redis0) * 1000) / n } };
}

/** INFO commandstats as command → calls (Lua's inner commands included; EVALSHA is the script itself). */
async function commandCalls(admin: RedisConnection): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const m of (await admin.client.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls.set(m[1], Number(m[2]));
  return calls;
}

/** Redis commands per request over a window, busiest first (`SCAN`/`INFO` of the bench itself are left out). */
function perRequest(before: Map<string, number>, after: Map<string, number>, requests: number): string {
  const rows = [...after]
    .map(([cmd, n]) => [cmd, (n - (before.get(cmd) ?? 0)) / Math.max(1, requests)] as const)
    .filter(([cmd, n]) => n >= 0.005 && cmd !== 'info' && cmd !== 'scan')
    .sort((a, b) => b[1] - a[1]);
  const total = rows.filter(([cmd]) => !cmd.startsWith('eval')).reduce((t, [, n]) => t + n, 0);
  return `${total.toFixed(1)} commands/request inside scripts and out: ${rows.map(([cmd, n]) => `${cmd} ${n.toFixed(2)}`).join(', ')}`;
}

async function backlog(r: ServerProcess): Promise<number> {
  const q = ((await (await fetch(`${r.url}/healthz`)).json()) as { components: { job_queue: { waiting: number; running: number; delayed: number } } }).components.job_queue;
  return q.waiting + q.running + q.delayed;
}

async function drained(r: ServerProcess, limitS = 300): Promise<number> {
  const start = performance.now();
  while ((await backlog(r)) > 0) {
    if (performance.now() - start > limitS * 1000) throw new Error(`queue not drained within ${limitS} s`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return (performance.now() - start) / 1000;
}

async function ingestInProcess(admin: RedisConnection): Promise<{ memory: number; redis: number; inFlight: number }> {
  const memory = new MemorySessionStore(storeOpts);
  await appendLoad(memory, 500, 1, 1);
  const memoryRate = await appendLoad(memory, 5_000, 20, 1);
  await memory.close();
  const conn = new RedisConnection({ url: REDIS_URL, keyPrefix: `${PREFIX}ingest:` });
  await conn.waitUntilReady();
  const redis = new RedisSessionStore({ ...storeOpts, connection: conn });
  await appendLoad(redis, 500, 1, 16);
  const inFlight = 64;
  const redisRate = await appendLoad(redis, 5_000, 6, inFlight);
  await redis.close();
  await removePrefix(admin, `${PREFIX}ingest:`);
  await conn.close();
  return { memory: memoryRate, redis: redisRate, inFlight };
}

type Measured = { result: LoadResult; cpu: CpuSplit };

async function ingestOverHttp(admin: RedisConnection): Promise<{ memory: Measured; redis: Measured; commands: string }> {
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
  let commands = '';
  const measure = async (env: Record<string, string>) => {
    const server = await startServerProcess({ ...serverEnv, CHANNELS: 'rest', SOURCES: 'push', ...env }, 60_000, { entry: 'dist', nodeArgs });
    await load(`${server.url}/v1/activity`, ACTIVITY, 0, WARMUP_S);
    const before = await commandCalls(admin);
    const r = await cpuWindow(admin, [server], (l: LoadResult) => l.requests, () => load(`${server.url}/v1/activity`, ACTIVITY, 1_000_000, DURATION_S));
    if (env.STORE === 'redis') commands = perRequest(before, await commandCalls(admin), r.result.requests);
    await server.terminate();
    return r;
  };
  return { memory: await measure({ STORE: 'memory' }), redis: await measure(redisEnv(`${PREFIX}http:`)), commands };
}

async function replies(admin: RedisConnection): Promise<{ memory: ReplyOverhead; redis: ReplyOverhead }> {
  const opts = { iterations: 5_000, warmup: 500, inFlight: 64 };
  const memory = await replyOverhead(new MemorySessionStore(sessionStoreOpts), new MemoryConversationStore({ maxConversations: 100_000 }), opts);
  const conn = new RedisConnection({ url: REDIS_URL, keyPrefix: `${PREFIX}reply:` });
  await conn.waitUntilReady();
  const redis = await replyOverhead(new RedisSessionStore({ ...sessionStoreOpts, connection: conn }), new RedisConversationStore({ connection: conn, maxConversations: 100_000 }), opts);
  await removePrefix(admin, `${PREFIX}reply:`);
  await conn.close();
  return { memory, redis };
}

async function memoryPerSession(admin: RedisConnection): Promise<{ perSession: number; sessions: number; delta: number }> {
  const conn = new RedisConnection({ url: REDIS_URL, keyPrefix: `${PREFIX}mem:` });
  await conn.waitUntilReady();
  const store = new RedisSessionStore({ ...storeOpts, connection: conn });
  const before = await usedMemory(admin);
  await appendLoad(store, 10_000, 3, 64);
  const delta = (await usedMemory(admin)) - before;
  const { sessionsTracked } = await store.stats();
  await store.close();
  await removePrefix(admin, `${PREFIX}mem:`);
  await conn.close();
  return { perSession: delta / sessionsTracked, sessions: sessionsTracked, delta };
}

interface AckRun {
  acked: number;
  reqPerS: number;
  p50: number;
  p99: number;
  non2xx: number;
  sent: number;
  backlogAtEnd: number;
  drainS: number;
  cpu: CpuSplit;
}

async function crispAck(admin: RedisConnection): Promise<{ memory: AckRun; redis: AckRun }> {
  const crisp = await fakeCrisp();
  const crispEnv = { CHANNELS: 'crisp', CRISP_WEBSITE_ID: crispFixture.website_id, CRISP_TOKEN_IDENTIFIER: 'bench', CRISP_TOKEN_KEY: 'bench', CRISP_WEBHOOK_SECRET: HOOK_KEY, CRISP_API_URL: crisp.url };
  const hookUrl = (s: ServerProcess) => `${s.url}/crisp/hooks?key=${HOOK_KEY}`;
  const run = async (webs: ServerProcess[], worker: ServerProcess, offset: number): Promise<AckRun> => {
    const all = [...new Set([...webs, worker])];
    await Promise.all(webs.map((w, i) => load(hookUrl(w), HANDLED_HOOK, offset + i * 100_000, WARMUP_S, CONNECTIONS / webs.length)));
    await drained(worker);
    await crisp.ask('reset');
    const { result: results, cpu } = await cpuWindow(
      admin,
      all,
      (rs: LoadResult[]) => rs.reduce((n, r) => n + r.requests, 0),
      () => Promise.all(webs.map((w, i) => load(hookUrl(w), HANDLED_HOOK, offset + 1_000_000 + i * 1_000_000, DURATION_S, CONNECTIONS / webs.length))),
    );
    const backlogAtEnd = await backlog(worker);
    const drainS = await drained(worker);
    const acked = results.reduce((n, r) => n + r.requests - r.non2xx, 0);
    return {
      acked,
      reqPerS: results.reduce((n, r) => n + perSecond(r), 0),
      p50: Math.max(...results.map((r) => r.p50Ms)),
      p99: Math.max(...results.map((r) => r.p99Ms)),
      non2xx: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
      sent: (await crisp.ask('count')).sent ?? 0,
      backlogAtEnd,
      drainS,
      cpu,
    };
  };
  const single = await startServerProcess({ ...serverEnv, ...crispEnv, STORE: 'memory', QUEUE: 'memory' }, 60_000, { entry: 'dist' });
  const memory = await run([single], single, 10_000_000);
  await single.terminate();
  const env = { ...serverEnv, ...crispEnv, ...redisEnv(`${PREFIX}crisp:`) };
  const [web1, web2, worker] = await Promise.all([
    startServerProcess({ ...env, ROLE: 'web' }, 60_000, { entry: 'dist' }),
    startServerProcess({ ...env, ROLE: 'web' }, 60_000, { entry: 'dist' }),
    startServerProcess({ ...env, ROLE: 'worker' }, 60_000, { entry: 'dist' }),
  ]);
  const redis = await run([web1, web2], worker, 20_000_000);
  await Promise.all([web1, web2, worker].map((s) => s.terminate()));
  crisp.child.send('stop');
  return { memory, redis };
}

/** A redis-server of the bench's own (same binary as the service's tests), killed when the bench exits. */
async function ownRedis(): Promise<string> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.add(child);
  const url = `redis://127.0.0.1:${port}`;
  // Connecting before it listens would leave the first client waiting on its backoff.
  for (const deadline = Date.now() + 10_000; ; ) {
    const probe = new RedisConnection({ url, connectTimeoutMs: 200, reconnectInitialMs: 50, reconnectMaxMs: 50 });
    const up = await probe.waitUntilReady(300).then(() => true, () => false);
    await probe.close(100);
    if (up) return url;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
  }
}

async function main(): Promise<void> {
  const own = !REDIS_URL;
  if (own) REDIS_URL = await ownRedis();
  const admin = new RedisConnection({ url: REDIS_URL });
  await admin.waitUntilReady();
  const redisVersion = /redis_version:(\S+)/.exec(await admin.client.info('server'))![1];
  console.log(`# Scale-out bench\n\nNode ${process.version}, Redis ${redisVersion} at ${REDIS_URL}${own ? ' (its own redis-server)' : ''}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString().slice(0, 16)}Z`);
  ensureDistBuilt();
  try {
    const ingest = await part('ingest', () => ingestInProcess(admin));
    const http = await part('http', () => ingestOverHttp(admin));
    const reply = await part('reply', () => replies(admin));
    const mem = await part('memory', () => memoryPerSession(admin));
    const ack = await part('crisp', () => crispAck(admin));

    console.log(`\n| measure | memory | redis | redis / memory | target |\n|---|---:|---:|---:|---|`);
    const cpu = (c: CpuSplit) => `${fmt(c.serviceUs)} + ${fmt(c.redisUs)}`;
    if (ingest) console.log(`| ingest in-process, actions/s (batches of 10; redis: ${ingest.inFlight} appends in flight) | ${fmt(ingest.memory)} | ${fmt(ingest.redis)} | ${x(ingest.redis, ingest.memory)} | redis ≥ 50,000 |`);
    if (http) {
      const hm = http.memory.result;
      const hr = http.redis.result;
      console.log(`| POST /v1/activity, req/s (dist/main.js, ${CONNECTIONS} connections, ${DURATION_S} s) | ${fmt(perSecond(hm))} | ${fmt(perSecond(hr))} | ${x(perSecond(hr), perSecond(hm))} | ≥ 0.70× |`);
      console.log(`| POST /v1/activity p50 / p99 ms | ${ms(hm.p50Ms)} / ${ms(hm.p99Ms)} | ${ms(hr.p50Ms)} / ${ms(hr.p99Ms)} | | |`);
      console.log(`| POST /v1/activity CPU µs/req, service + redis-server | ${cpu(http.memory.cpu)} | ${cpu(http.redis.cpu)} | | |`);
      console.log(`| POST /v1/activity non-2xx / errors | ${hm.non2xx} / ${hm.errors} | ${hr.non2xx} / ${hr.errors} | | |`);
      console.log(`\nPOST /v1/activity on Redis, ${http.commands}\n`);
    }
    if (reply) {
      const r = reply;
      console.log(`| reply overhead p50 ms (${fmt(r.redis.sessionsTracked)} sessions, ${r.redis.iterations} replies) | ${r.memory.p50.toFixed(3)} | ${r.redis.p50.toFixed(3)} | ${x(r.redis.p50, r.memory.p50)} | redis < 2 ms |`);
      console.log(`| reply overhead p99 ms | ${r.memory.p99.toFixed(3)} | ${r.redis.p99.toFixed(3)} | ${x(r.redis.p99, r.memory.p99)} | redis < 10 ms |`);
      console.log(`| reply overhead mean / max ms (prompt ${fmt(r.redis.promptChars)} chars) | ${r.memory.mean.toFixed(3)} / ${ms(r.memory.max)} | ${r.redis.mean.toFixed(3)} / ${ms(r.redis.max)} | | |`);
    }
    if (mem) console.log(`| Redis used_memory per session (${fmt(mem.sessions)} sessions × 30 actions, +${fmt(mem.delta)} bytes) | | ${fmt(mem.perSession)} bytes | | |`);
    if (ack) {
      const a = ack;
      console.log(`| Crisp hooks acknowledged, req/s (memory: 1 ROLE=all; redis: 2 ROLE=web + 1 ROLE=worker) | ${fmt(a.memory.reqPerS)} | ${fmt(a.redis.reqPerS)} | ${x(a.redis.reqPerS, a.memory.reqPerS)} | |`);
      console.log(`| Crisp ack p50 / p99 ms (worst replica) | ${ms(a.memory.p50)} / ${ms(a.memory.p99)} | ${ms(a.redis.p50)} / ${ms(a.redis.p99)} | | |`);
      console.log(`| Crisp CPU µs/hook in the window, every service process + redis-server (replies sent meanwhile included) | ${cpu(a.memory.cpu)} | ${cpu(a.redis.cpu)} | | |`);
      for (const [name, run] of [['memory', a.memory], ['redis', a.redis]] as const) {
        console.log(`\n${name}: ${fmt(run.acked)} hooks acknowledged (${run.non2xx} non-2xx/errors) → ${fmt(run.sent)} replies delivered to the fake Crisp; backlog ${fmt(run.backlogAtEnd)} at the end of the load, drained ${run.drainS.toFixed(1)} s later`);
      }
    }
    console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await killAllServerProcesses();
    await removePrefix(admin, PREFIX);
    await admin.close();
    // A running child (the bench's own redis-server) would keep this process alive.
    children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
