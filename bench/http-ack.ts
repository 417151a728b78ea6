/**
 * HTTP acknowledgement benchmark (issue 13). In one run, real processes on 127.0.0.1:
 *
 *  - the service: `npm run build`, then `node dist/main.js` with CHANNELS=rest,crisp,
 *    SOURCES=push,posthog, the offline LLM, LOG_LEVEL=info (its stdout goes to /dev/null),
 *    and CRISP_API_URL at the fake Crisp API (test/support/fake-crisp.server.ts, in a
 *    child process like bench/crisp-fake.child.ts, so it does not share our CPU);
 *  - a bare node:http server doing the same parse and check (bench/http-bare.server.ts);
 *  - a Nest 11 + Express hello world for GET /healthz (bench/nest-hello.server.ts);
 *  - when FastAPI and uvicorn import: the seed's FastAPI webhook (bench/seed_webhook.py)
 *    under uvicorn with uvloop + httptools, and pure Python (asyncio + h11);
 *  - when Redis answers on 127.0.0.1:6379: the service as ROLE=web on Redis + BullMQ, for
 *    scenario (b): it acknowledges and enqueues, and worker replicas would send the replies;
 *  - with HTTP_ACK_NODE_ALT=/path/to/node: the same build on that Node (e.g. 24) as its own row.
 *
 * Load: wrk (1 thread, 32 connections, a 2 s warm-up then 10 s, bench/http-ack.lua) or,
 * without wrk, autocannon in a child process (bench/http-ack-load.child.ts). Every server
 * gets the same bodies in the same order; each Crisp body has its own fingerprint.
 * Scenarios: (a) ignored Crisp hook (message:received), (b) handled hook (message:send
 * from a visitor: the service queues a reply, which it sends to the fake Crisp), (c)
 * POST /v1/activity with a connector actions event, (d) GET /healthz, (e) the handled-hook
 * flood measured with the replies the same process sends (replies/s counted by the fake
 * Crisp). Server CPU per request is the utime+stime delta of /proc/<pid>/stat over the
 * measured window divided by the requests answered.
 *
 * Run: npm run bench:http
 * Knobs (bench only): HTTP_ACK_LOAD=autocannon forces autocannon; HTTP_ACK_ONLY=a,b runs
 * only those scenarios; HTTP_ACK_SERVERS=service,bare only those servers;
 * HTTP_ACK_CPU_PROF=<dir> runs the service under `node --cpu-prof` (the profile is written
 * when it exits; summarise it with bench/cpuprofile-top.ts); HTTP_ACK_DURATION_S=10;
 * HTTP_ACK_ROUNDS=3 (interleaved rounds of (a), (c) and (d); the median round is reported);
 * HTTP_ACK_LOG_LEVEL=info (the service's LOG_LEVEL).
 */
import { execFileSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './http-ack-load.child';

const ROOT = join(__dirname, '..');
const CONNECTIONS = 32;
const WARMUP_S = 2;
const DURATION_S = Number(process.env.HTTP_ACK_DURATION_S ?? 10);
const KEY = 'bench-hook-key';
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
const ONLY = process.env.HTTP_ACK_ONLY ? new Set(process.env.HTTP_ACK_ONLY.split(',').map((s) => s.trim())) : undefined;
const SERVERS = process.env.HTTP_ACK_SERVERS ? new Set(process.env.HTTP_ACK_SERVERS.split(',').map((s) => s.trim())) : undefined;
const CPU_PROF_DIR = process.env.HTTP_ACK_CPU_PROF;
/** Interleaved rounds of the cheap scenarios (a, c, d): every server once per round, the median round reported. */
const ROUNDS = Math.max(1, Number(process.env.HTTP_ACK_ROUNDS ?? 3));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ─── Child processes: every one is killed when the bench ends, however it ends ────────
const children = new Set<ChildProcess>();
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killAll(): void {
  for (const c of children) if (alive(c)) c.kill('SIGKILL');
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: stopping every child process\n`);
    killAll();
    process.exit(130);
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (!alive(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => alive(child) && child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ─── CPU from /proc ──────────────────────────────────────────────────────────────────
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (all threads), in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

// ─── Servers ─────────────────────────────────────────────────────────────────────────
type ServerKey = 'bare' | 'service' | 'service-alt' | 'service-web' | 'nest' | 'seed-uvloop' | 'seed-asyncio';

/** HTTP_ACK_NODE_ALT=/path/to/node: the same build also runs on that Node (e.g. 24), as its own row. */
const NODE_ALT = process.env.HTTP_ACK_NODE_ALT;
const WEB_PREFIX = `bench-http:${process.pid}:`;

interface Server {
  key: ServerKey;
  label: string;
  child: ChildProcess;
  url: string;
  pid: number;
}

async function waitUp(child: ChildProcess, url: string, what: string, stderr: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (!alive(child)) throw new Error(`${what} exited before listening:\n${stderr()}`);
    const up = await fetch(url).then((r) => r.ok, () => false);
    if (up) return;
    await sleep(50);
  }
  throw new Error(`${what} did not answer ${url} within 30 s:\n${stderr()}`);
}

/** Spawns a server on a free port (given as PORT, and to `args` when it is a function of the port) and waits for its health route. */
async function startServer(
  key: ServerKey,
  label: string,
  cmd: string,
  args: string[] | ((port: number) => string[]),
  env: Record<string, string>,
  healthPath: string,
  cwd = ROOT,
): Promise<Server> {
  const port = await freePort();
  const child = track(
    spawn(cmd, typeof args === 'function' ? args(port) : args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += c.toString('utf8');
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(child, `${url}${healthPath}`, label, () => err);
  return { key, label, child, url, pid: child.pid! };
}

/** The fake Crisp API in its own process (IPC: 'count' → {sent}, 'reset' → {ok}, 'stop'). */
async function startFakeCrisp(): Promise<{ child: ChildProcess; url: string }> {
  const child = track(fork(join(__dirname, 'crisp-fake.child.ts'), [], { execArgv: TS_NODE }));
  const [msg] = (await once(child, 'message')) as [{ url: string }];
  return { child, url: msg.url };
}

async function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  const reply = once(child, 'message') as Promise<[T]>;
  child.send(msg);
  return (await reply)[0];
}

interface Python {
  exe: string;
  version: string;
  uvloop: boolean;
  h11: boolean;
}

/** The first python3 (PATH, then Debian's /usr/bin/python3) that imports fastapi and uvicorn. */
function findPython(notes: string[]): Python | undefined {
  const seen = new Set<string>();
  for (const exe of ['python3', '/usr/bin/python3']) {
    const which = spawnSync('sh', ['-c', `command -v ${exe}`], { encoding: 'utf8' });
    if (which.status !== 0) continue;
    const real = realpathSync(which.stdout.trim());
    if (seen.has(real)) continue;
    seen.add(real);
    const probe = (code: string) => spawnSync(exe, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
    const base = probe('import sys, fastapi, uvicorn; print(sys.version.split()[0], fastapi.__version__, uvicorn.__version__)');
    if (base.status !== 0) {
      notes.push(`${exe} (${real}): \`import fastapi, uvicorn\` fails`);
      continue;
    }
    const [py, fastapi, uvicorn] = base.stdout.trim().split(' ');
    return {
      exe,
      version: `Python ${py}, fastapi ${fastapi}, uvicorn ${uvicorn}`,
      uvloop: probe('import uvloop, httptools').status === 0,
      h11: probe('import h11').status === 0,
    };
  }
  return undefined;
}

// ─── Request bodies (templates shared with wrk's Lua and autocannon) ─────────────────
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/crisp/webhook_message_send.quickstart.json'), 'utf8')) as {
  website_id: string;
  event: string;
  data: Record<string, unknown>;
  timestamp: number;
};
const WEBSITE = fixture.website_id;
const connectorFixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/connector/actions-event.integration-guide.json'), 'utf8')) as Record<string, unknown>;

/** A Crisp hook body from the vendored quickstart payload, with a unique fingerprint ({{n}}) and one of 1,000 sessions ({{s}}). */
function crispTemplate(event: string, from: 'user' | 'operator'): string {
  const body = {
    ...fixture,
    event,
    data: {
      ...fixture.data,
      session_id: 'session_bench_{{s}}',
      content: from === 'user' ? 'How do I export my invoices? ({{n}})' : 'Go to Billing, then Export. ({{n}})',
      from,
      fingerprint: '__FINGERPRINT__',
      user: from === 'user' ? { nickname: 'visitor{{s}}', user_id: 'session_bench_{{s}}' } : { nickname: 'Copilot', user_id: 'operator_bench' },
    },
  };
  return JSON.stringify(body).replace('"__FINGERPRINT__"', '150698{{n}}');
}

const TEMPLATES = {
  ignored: crispTemplate('message:received', 'operator'),
  handled: crispTemplate('message:send', 'user'),
  activity: JSON.stringify({ ...connectorFixture, session_id: 'bench_sess_{{s}}', user_id: 'bench_user_{{s}}' }),
};

// ─── Load ────────────────────────────────────────────────────────────────────────────
const WRK = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0 && process.env.HTTP_ACK_LOAD !== 'autocannon';
const tmp = mkdtempSync(join(tmpdir(), 'http-ack-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

interface Target {
  method: 'GET' | 'POST';
  path: string;
  template?: string;
}

async function wrk(url: string, target: Target, offset: number, durationS: number): Promise<LoadResult> {
  let file = '-';
  if (target.template !== undefined) {
    file = join(tmp, `body-${offset}.json`);
    writeFileSync(file, target.template);
  }
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${durationS}s`, '--timeout', '10s', '-s', join(__dirname, 'http-ack.lua'), url, '--', target.method, target.path, file, String(offset)];
  const child = track(spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = /^HTTP_ACK_RESULT (.+)$/m.exec(out);
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${out}`);
  const r = JSON.parse(line[1]) as { requests: number; duration_us: number; p50_us: number; p99_us: number; max_us: number; non2xx: number; errors: number };
  return { requests: r.requests, durationS: r.duration_us / 1e6, p50Ms: r.p50_us / 1000, p99Ms: r.p99_us / 1000, maxMs: r.max_us / 1000, non2xx: r.non2xx, errors: r.errors };
}

async function autocannonChild(url: string, target: Target, offset: number, durationS: number): Promise<LoadResult> {
  const child = track(fork(join(__dirname, 'http-ack-load.child.ts'), [], { execArgv: TS_NODE }));
  const spec: LoadSpec = { url: `${url}${target.path}`, method: target.method, template: target.template, offset, connections: CONNECTIONS, durationS };
  const result = once(child, 'message') as Promise<[LoadResult]>;
  const exit = once(child, 'exit').then(() => {
    throw new Error('autocannon child exited without a result');
  });
  child.send(spec);
  const [r] = await Promise.race([result, exit]);
  return r;
}

const load = (url: string, target: Target, offset: number, durationS: number) => (WRK ? wrk(url, target, offset, durationS) : autocannonChild(url, target, offset, durationS));

// ─── Measurement ─────────────────────────────────────────────────────────────────────
interface Row {
  server: Server;
  path: string;
  result: LoadResult;
  reqPerS: number;
  cpuUsPerReq: number;
  note?: string;
  /** Handled hooks on the service: what the fake Crisp received. */
  replies?: Replies;
  /** With interleaved rounds: req/s of every round, lowest first (this row is the median one). */
  rounds?: number[];
}

interface Replies {
  sentInWindow: number;
  backlog: number;
  drainS: number;
  sentTotal: number;
  acked: number;
}

/** Each scenario gets a block of request numbers; every server sees the same ones (warm-up, then the measured run). */
const BLOCK = 10_000_000;
let nextBlock = 1;

async function probe(server: Server, target: Target, n: number, expect: number): Promise<void> {
  const body = target.template === undefined ? undefined : renderForProbe(target.template, n);
  const res = await fetch(`${server.url}${target.path}`, { method: target.method, headers: body ? { 'content-type': 'application/json' } : undefined, body });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${server.label} answered ${target.method} ${target.path} with ${res.status} (expected ${expect}): ${text.slice(0, 300)}`);
}

function renderForProbe(template: string, n: number): string {
  return template.replace(/\{\{n\}\}/g, String(n).padStart(9, '0')).replace(/\{\{s\}\}/g, String(n % 1000));
}

async function serviceQueue(service: Server): Promise<{ backlog: number }> {
  const h = (await (await fetch(`${service.url}/healthz`)).json()) as { components: { job_queue?: { waiting: number; running: number; delayed: number } } };
  const q = h.components.job_queue ?? { waiting: 0, running: 0, delayed: 0 };
  return { backlog: q.waiting + q.running + q.delayed };
}

/** Waits until the service's reply queue is empty; returns the seconds it took. */
async function drain(service: Server, limitS = 300): Promise<number> {
  const start = performance.now();
  while ((await serviceQueue(service)).backlog > 0) {
    if (performance.now() - start > limitS * 1000) throw new Error(`the service's reply queue did not drain within ${limitS} s`);
    await sleep(100);
  }
  return (performance.now() - start) / 1000;
}

async function measure(server: Server, target: Target, block: number, expect: number, between?: () => Promise<void>): Promise<Row> {
  await probe(server, target, block * BLOCK + BLOCK - 1, expect);
  await load(server.url, target, block * BLOCK, WARMUP_S);
  if (between) await between();
  const cpu0 = cpuMicros(server.pid);
  const result = await load(server.url, target, block * BLOCK + BLOCK / 2, DURATION_S);
  const cpu1 = cpuMicros(server.pid);
  return { server, path: target.path, result, reqPerS: result.requests / result.durationS, cpuUsPerReq: (cpu1 - cpu0) / Math.max(1, result.requests) };
}

// ─── Printing ────────────────────────────────────────────────────────────────────────
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '–');

/**
 * ROUNDS rounds, every server measured once per round in turn (so a machine that speeds up or
 * slows down over a minute weighs on every server alike); per server, the round with the
 * median req/s, carrying every round's figure. Each round has its own block of request numbers.
 */
async function interleaved(servers: Server[], measureOne: (s: Server, block: number) => Promise<Row>): Promise<Row[]> {
  const byServer = new Map<Server, Row[]>(servers.map((s) => [s, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const block = nextBlock++;
    for (const s of servers) byServer.get(s)!.push(await measureOne(s, block));
  }
  return servers.map((s) => {
    const rows = byServer.get(s)!.sort((x, y) => x.reqPerS - y.reqPerS);
    return { ...rows[Math.floor((rows.length - 1) / 2)], rounds: rows.map((x) => x.reqPerS) };
  });
}

function table(title: string, rows: Row[]): void {
  const bare = rows.find((r) => r.server.key === 'bare')?.reqPerS;
  const seed = rows.find((r) => r.server.key === 'seed-uvloop')?.reqPerS;
  console.log(`\n### ${title}\n`);
  console.log(`| server | req/s | p50 ms | p99 ms | × bare node:http | ${seed ? '× seed (uvloop) | ' : ''}server CPU µs/req | non-2xx / errors |`);
  console.log(`|---|---:|---:|---:|---:|${seed ? '---:|' : ''}---:|---:|`);
  for (const r of rows) {
    const label = `${r.server.label}${r.path.startsWith('/crisp') || r.path.startsWith('/v1') || r.path === '/healthz' ? '' : ` (\`${r.path}\`)`}`;
    console.log(
      `| ${label} | ${int(r.reqPerS)} | ${ms(r.result.p50Ms)} | ${ms(r.result.p99Ms)} | ${ratio(r.reqPerS, bare)} | ${seed ? `${ratio(r.reqPerS, seed)} | ` : ''}` +
        `${int(r.cpuUsPerReq)} | ${r.result.non2xx} / ${r.result.errors} |`,
    );
  }
  for (const r of rows) if (r.note) console.log(`\n${r.server.label}: ${r.note}`);
  if (rows.some((r) => r.rounds && r.rounds.length > 1)) {
    console.log(`\nMedian of ${rows[0].rounds!.length} interleaved rounds; req/s of each round, lowest first:`);
    for (const r of rows) if (r.rounds) console.log(`- ${r.server.label}: ${r.rounds.map(int).join(' / ')}`);
  }
}

// ─── Main ────────────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  const cores = cpus().length;
  console.log(`# HTTP acknowledgement bench\n\nnode ${process.version}, ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load: ${
    WRK ? `${(spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout || 'wrk').split('\n')[0].split(' Copyright')[0].trim()}, 1 thread` : 'autocannon (child process)'
  }, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s; CLK_TCK ${CLK_TCK}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!WRK) console.log('note: autocannon reports latency in whole milliseconds');
  const want = (k: ServerKey) => !SERVERS || SERVERS.has(k);
  const notes: string[] = [];

  if (want('service')) {
    process.stdout.write('building dist/ … ');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    console.log('done');
  }
  const crisp = await startFakeCrisp();
  const servers: Server[] = [];
  if (want('bare')) servers.push(await startServer('bare', 'bare node:http', process.execPath, [...TS_NODE, 'bench/http-bare.server.ts'], { CRISP_WEBHOOK_SECRET: KEY }, '/healthz'));
  if (want('service')) {
    const serviceEnv = {
      HOST: '127.0.0.1', LOG_LEVEL: process.env.HTTP_ACK_LOG_LEVEL ?? 'info', CHANNELS: 'rest,crisp', SOURCES: 'push,posthog', LLM_PROVIDER: 'offline',
      CRISP_WEBSITE_ID: WEBSITE, CRISP_TOKEN_IDENTIFIER: 'bench', CRISP_TOKEN_KEY: 'bench', CRISP_WEBHOOK_SECRET: KEY, CRISP_API_URL: crisp.url,
    };
    const prof = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
    servers.push(await startServer('service', 'activity-copilot (dist/main.js)', process.execPath, [...prof, 'dist/main.js'], serviceEnv, '/healthz'));
    // ROLE=web on Redis/BullMQ: acknowledges and enqueues; the replies belong to worker replicas (none here).
    if (want('service-web') && spawnSync('redis-cli', ['-h', '127.0.0.1', 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') {
      const webEnv = { ...serviceEnv, ROLE: 'web', STORE: 'redis', QUEUE: 'bullmq', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: WEB_PREFIX, QUEUE_MAX_PENDING: '10000000' };
      servers.push(await startServer('service-web', 'activity-copilot ROLE=web, Redis + BullMQ (dist/main.js)', process.execPath, ['dist/main.js'], webEnv, '/healthz'));
      process.on('exit', () => spawnSync('sh', ['-c', `redis-cli -h 127.0.0.1 --scan --pattern '${WEB_PREFIX}*' | xargs -r -n 500 redis-cli -h 127.0.0.1 del > /dev/null`]));
    }
    if (NODE_ALT && want('service-alt')) {
      const version = spawnSync(NODE_ALT, ['--version'], { encoding: 'utf8' }).stdout.trim();
      servers.push(await startServer('service-alt', `activity-copilot on Node ${version} (dist/main.js)`, NODE_ALT, [...prof, 'dist/main.js'], serviceEnv, '/healthz'));
    }
    console.log(`service env: ${Object.entries(serviceEnv).filter(([k]) => !/KEY|SECRET|TOKEN|URL/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ')} (+ CRISP_* credentials, CRISP_API_URL → fake Crisp)${CPU_PROF_DIR ? `; under --cpu-prof → ${CPU_PROF_DIR}` : ''}`);
  }
  if (want('nest')) servers.push(await startServer('nest', 'Nest 11 + Express hello', process.execPath, [...TS_NODE, 'bench/nest-hello.server.ts'], {}, '/healthz'));

  const python = want('seed-uvloop') || want('seed-asyncio') ? findPython(notes) : undefined;
  if (want('seed-uvloop') || want('seed-asyncio')) {
    if (!python) notes.push('seed (FastAPI) rows skipped: no python3 imports fastapi and uvicorn (Debian: apt-get install -y python3-fastapi python3-uvicorn python3-uvloop python3-httptools)');
    else {
      notes.push(`seed: ${python.exe}, ${python.version}`);
      const seedArgs = (loop: string, http: string) => ['-m', 'uvicorn', 'seed_webhook:app', '--no-access-log', '--log-level', 'warning', '--host', '127.0.0.1', '--loop', loop, '--http', http];
      const seedEnv = { CRISP_WEBHOOK_SECRET: KEY, PYTHONDONTWRITEBYTECODE: '1' };
      const seed = (key: ServerKey, label: string, loop: string, http: string) =>
        startServer(key, label, python.exe, (port) => [...seedArgs(loop, http), '--port', String(port)], seedEnv, '/', join(ROOT, 'bench'));
      if (want('seed-uvloop')) {
        if (python.uvloop) servers.push(await seed('seed-uvloop', 'seed FastAPI (uvicorn, uvloop + httptools)', 'uvloop', 'httptools'));
        else notes.push('seed uvloop row skipped: uvloop or httptools does not import (Debian: python3-uvloop python3-httptools)');
      }
      if (want('seed-asyncio')) {
        if (python.h11) servers.push(await seed('seed-asyncio', 'seed FastAPI (uvicorn, asyncio + h11, pure Python)', 'asyncio', 'h11'));
        else notes.push('seed pure-Python row skipped: h11 does not import');
      }
    }
  }
  for (const n of notes) console.log(`note: ${n}`);

  const get = (k: ServerKey) => servers.find((s) => s.key === k);
  const service = get('service');
  const hook = (template: string): Target => ({ method: 'POST', path: `/crisp/hooks?key=${KEY}`, template });
  const crispServers = (['bare', 'service', 'service-alt', 'seed-uvloop', 'seed-asyncio'] as ServerKey[]).map(get).filter((s): s is Server => !!s);
  const run = (id: string) => !ONLY || ONLY.has(id);

  if (run('a')) {
    const rows = await interleaved(crispServers, (s, block) => measure(s, hook(TEMPLATES.ignored), block, 200));
    table('(a) ignored Crisp hook: POST /crisp/hooks?key=…, `message:received` (operator message) → 200', rows);
  } else nextBlock++;

  // The service sends a reply for each handled hook (typing on, meta, answer, send, typing off) in the same process;
  // its queue is drained after the warm-up, and after the run before anything else is measured.
  const handled = async (s: Server, block: number): Promise<Row> => {
    if (!s.key.startsWith('service') || s.key === 'service-web') return measure(s, hook(TEMPLATES.handled), block, 200);
    await drain(s);
    let sentBefore = 0;
    const row = await measure(s, hook(TEMPLATES.handled), block, 200, async () => {
      await drain(s);
      await ask(crisp.child, 'reset');
      sentBefore = (await ask<{ sent: number }>(crisp.child, 'count')).sent;
    });
    const sentInWindow = (await ask<{ sent: number }>(crisp.child, 'count')).sent - sentBefore;
    const { backlog } = await serviceQueue(s);
    const drainS = await drain(s);
    const sentTotal = (await ask<{ sent: number }>(crisp.child, 'count')).sent - sentBefore;
    const acked = row.result.requests - row.result.non2xx;
    row.replies = { sentInWindow, backlog, drainS, sentTotal, acked };
    row.note =
      `${int(acked)} hooks acknowledged in ${row.result.durationS.toFixed(1)} s; ${int(sentInWindow)} replies sent during the window ` +
      `(${int(sentInWindow / row.result.durationS)}/s), backlog ${int(backlog)} at its end, drained ${drainS.toFixed(1)} s later; ` +
      `${int(sentTotal)} replies in all. CPU µs/req includes the reply work done during the window.`;
    return row;
  };

  if (run('b')) {
    const block = nextBlock++;
    const rows: Row[] = [];
    for (const s of [...crispServers, get('service-web')].filter((x): x is Server => !!x)) rows.push(await handled(s, block));
    table('(b) handled Crisp hook: `message:send` from a visitor, type text, unique fingerprint → 200 (the service queues and sends a reply)', rows);
  } else nextBlock++;

  if (run('c')) {
    const activity: Target = { method: 'POST', path: '/v1/activity', template: TEMPLATES.activity };
    const rows = await interleaved([get('bare'), service, get('service-alt')].filter((x): x is Server => !!x), (s, block) => measure(s, activity, block, 202));
    table('(c) POST /v1/activity: connector `actions` event (1 action, 1,000 sessions), unsigned → 202', rows);
  } else nextBlock++;

  if (run('d')) {
    const probes = [get('bare'), service, get('service-alt'), get('nest'), get('seed-uvloop'), get('seed-asyncio')].filter((x): x is Server => !!x);
    const rows = await interleaved(probes, (s, block) => measure(s, { method: 'GET', path: s.key.startsWith('seed') ? '/' : '/healthz' }, block, 200));
    table('(d) GET /healthz (the seed: its `GET /` health route)', rows);
  } else nextBlock++;

  if (run('e') && service) {
    const block = nextBlock++;
    const row = await handled(service, block);
    const r = row.replies!;
    console.log('\n### (e) flood with replies sent by the same process: handled hooks while the service also sends every reply\n');
    console.log('| server | ack req/s | p50 ms | p99 ms | replies/s (fake Crisp, same window) | backlog at end | drained after | replies sent / hooks acked | server CPU µs/hook | non-2xx / errors |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| ${service.label} | ${int(row.reqPerS)} | ${ms(row.result.p50Ms)} | ${ms(row.result.p99Ms)} | ${int(r.sentInWindow / row.result.durationS)} | ${int(r.backlog)} | ` +
        `${r.drainS.toFixed(1)} s | ${int(r.sentTotal)} / ${int(r.acked)} | ${int(row.cpuUsPerReq)} | ${row.result.non2xx} / ${row.result.errors} |`,
    );
  }

  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${WRK ? 'wrk' : 'autocannon'} counts the answers it read: up to ${CONNECTIONS} requests in flight when it stops are answered (and replied to) but not counted.`);
  for (const s of servers) await stopChild(s.child, 'SIGTERM');
  await stopChild(crisp.child, 'SIGTERM', 5_000);
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exit(1);
});
