/**
 * Hardening benchmark (issue 12), on the compiled build in real processes:
 *
 * 1. Oversized-id flood. 99 PostHog requests whose session_id and distinct_id are 450,000
 *    characters each, then 99 connector pushes with a 900,000-character title, against
 *    dist/main.js with a 256 MB heap. Printed beside a reference measured in the same run:
 *    a bare node:http server, same heap, that parses the same bodies and keeps what it is
 *    sent the way the service used to (ids trimmed but not capped, a `slice(0, 2000)` of
 *    the title that keeps the whole original alive).
 * 2. Summary concurrency under one PostHog batch of 500 sessions, against a local
 *    OpenAI-compatible server that answers each call after 200 ms and counts calls in
 *    flight: SUMMARY_CONCURRENCY=4 (the default) beside SUMMARY_CONCURRENCY=256 (the
 *    largest allowed) with no practical budget, close to the old every-session-at-once,
 *    and a chat question asked in the middle of each burst.
 *
 * Run: npm run bench:hardening
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeOpenAiServer } from '../test/support/fake-openai.server';

const ROOT = join(__dirname, '..');
const HEAP_MB = 256;
const FLOOD_REQUESTS = 99;
const ID_CHARS = 450_000;
const TITLE_CHARS = 900_000;
const SESSIONS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Proc {
  child: ChildProcess;
  url: string;
  exited: () => boolean;
}

async function spawnServer(args: string[], env: Record<string, string>, port: number): Promise<Proc> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let gone = false;
  child.once('exit', () => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (gone) throw new Error(`${args.join(' ')} exited before listening`);
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) return { child, url, exited: () => gone };
    await sleep(50);
  }
  throw new Error(`${args.join(' ')} did not start`);
}

async function stop(p: Proc): Promise<void> {
  if (p.exited()) return;
  p.child.kill('SIGKILL');
  await new Promise((r) => p.child.once('exit', r));
}

/** The reference: plain node:http, JSON.parse, and what the service kept before the caps. */
const NAIVE_SERVER = `
const http = require('node:http');
const sessions = new Map(); const users = new Map();
http.createServer((req, res) => {
  const chunks = []; req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET') { res.writeHead(200); res.end('{}'); return; }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const e of body.batch ?? [body]) {
      const sid = String(e.session_id).trim(), uid = String(e.distinct_id ?? e.user_id).trim();
      const actions = (e.actions ?? [{ title: e.current_url }]).map((a) => ({ title: String(a.title).slice(0, 2000) }));
      sessions.set(sid, { uid, actions }); users.set(uid, sid);
    }
    res.writeHead(202, { 'content-type': 'application/json' }); res.end('{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const posthogBody = (i: number) =>
  JSON.stringify({
    batch: [{
      event: '$pageview', session_id: `s${i}`.padEnd(ID_CHARS, 'x'), distinct_id: `u${i}`.padEnd(ID_CHARS, 'y'),
      current_url: 'https://app.example.com/projects', timestamp: new Date().toISOString(),
    }],
  });
const pushBody = (i: number) =>
  JSON.stringify({
    type: 'actions', product_id: 'acme', session_id: `big_${i}`, user_id: `big_user_${i}`,
    actions: [{ type: 'click', title: `t${i}`.padEnd(TITLE_CHARS, 'z'), canonical_url: '/x', timestamp_start: Math.floor(Date.now() / 1000) }],
  });

interface FloodResult {
  rssBeforeMb: number;
  rssAfterMb: number | undefined;
  statuses: Record<string, number>;
  survived: boolean;
}

async function flood(p: Proc, posthogPath: string, pushPath: string): Promise<FloodResult> {
  await sleep(500);
  const rssBeforeMb = rssMb(p.child.pid!);
  const statuses: Record<string, number> = {};
  const send = async (path: string, body: string) => {
    const status = await fetch(`${p.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
      (r) => String(r.status),
      () => 'connection failed',
    );
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  for (let i = 0; i < FLOOD_REQUESTS; i++) await send(posthogPath, posthogBody(i));
  for (let i = 0; i < FLOOD_REQUESTS; i++) await send(pushPath, pushBody(i));
  await sleep(1_000);
  const survived = !p.exited();
  return { rssBeforeMb, rssAfterMb: survived ? rssMb(p.child.pid!) : undefined, statuses, survived };
}

const mb = (n: number | undefined) => (n === undefined ? 'crashed' : `${n.toFixed(0)} MB`);

async function oversizedFlood(): Promise<void> {
  const ours = await spawnServer(['dist/main.js'], { SOURCES: 'push,posthog', CHANNELS: 'rest', SUMMARIZER: 'none', BODY_LIMIT: '2mb' }, await freePort());
  const oursResult = await flood(ours, '/v1/activity/posthog', '/v1/activity');
  await stop(ours);
  const naive = await spawnServer(['-e', NAIVE_SERVER], {}, await freePort());
  const naiveResult = await flood(naive, '/posthog', '/push');
  await stop(naive);

  console.log(`\n1. Oversized-id flood: ${FLOOD_REQUESTS} PostHog requests with ${ID_CHARS.toLocaleString()}-char ids + ${FLOOD_REQUESTS} pushes with a ${TITLE_CHARS.toLocaleString()}-char title, heap ${HEAP_MB} MB`);
  console.log('   | server | RSS before | RSS after | answers |');
  console.log('   |---|---|---|---|');
  for (const [name, r] of [['activity-copilot (dist/main.js)', oursResult], ['reference: node:http keeping uncapped ids and sliced titles', naiveResult]] as const) {
    console.log(`   | ${name} | ${mb(r.rssBeforeMb)} | ${mb(r.rssAfterMb)} | ${Object.entries(r.statuses).map(([s, n]) => `${n}× ${s}`).join(', ')} |`);
  }
}

interface BurstResult {
  peakInFlight: number;
  summaryCalls: number;
  chatReply: string;
  chatMs: number;
}

async function summaryBurst(concurrency: number, budgetPerMinute: number): Promise<BurstResult> {
  const llm = await new FakeOpenAiServer().start();
  let inFlight = 0;
  let peakInFlight = 0;
  let summaryCalls = 0;
  llm.respondWith((r) => {
    const isSummary = JSON.stringify(r.body.messages).includes('<<<ACTIONS');
    if (!isSummary) return { text: 'a real chat answer', delayMs: 200 };
    summaryCalls++;
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    setTimeout(() => inFlight--, 200);
    return { text: 'The user opened the projects page.', delayMs: 200 };
  });
  const p = await spawnServer(['dist/main.js'], {
    SOURCES: 'posthog', CHANNELS: 'rest', LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: llm.url,
    SUMMARY_THRESHOLD: '1', SUMMARY_CONCURRENCY: String(concurrency), SUMMARY_BUDGET_PER_MINUTE: String(budgetPerMinute),
  }, await freePort());
  const batch = Array.from({ length: SESSIONS }, (_, i) => ({
    event: '$autocapture', event_type: 'click', session_id: `burst_${i}`, distinct_id: `burst_user_${i}`,
    current_url: 'https://app.example.com/projects', elements_chain: 'button:text="Open"', timestamp: new Date().toISOString(),
  }));
  const ingest = await fetch(`${p.url}/v1/activity/posthog`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  if (ingest.status !== 202) throw new Error(`ingest answered ${ingest.status}`);
  await sleep(300);
  const t0 = performance.now();
  const chat = (await (await fetch(`${p.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'someone_else', message: 'hello?' }) })).json()) as { reply: string };
  const chatMs = performance.now() - t0;
  // Let the burst run its course (bounded: 500 calls at 4 x 200 ms is ~25 s).
  for (let i = 0; i < 300 && summaryCalls < Math.min(SESSIONS, budgetPerMinute); i++) await sleep(100);
  await stop(p);
  await llm.stop();
  return { peakInFlight, summaryCalls, chatReply: chat.reply, chatMs };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; building dist/ …`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  await oversizedFlood();

  const bounded = await summaryBurst(4, 1_000);
  const unbounded = await summaryBurst(256, 100_000);
  const budgeted = await summaryBurst(4, 60);
  console.log(`\n2. Summary calls under one PostHog batch of ${SESSIONS} sessions (provider answers after 200 ms)`);
  console.log('   | configuration | peak calls in flight | summary calls made | chat asked mid-burst |');
  console.log('   |---|---|---|---|');
  const row = (name: string, r: BurstResult) =>
    console.log(`   | ${name} | ${r.peakInFlight} | ${r.summaryCalls} | ${r.chatReply === 'a real chat answer' ? 'model answer' : 'FALLBACK'} in ${r.chatMs.toFixed(0)} ms |`);
  row('SUMMARY_CONCURRENCY=4 (default), budget 1000/min', bounded);
  row('SUMMARY_CONCURRENCY=4, SUMMARY_BUDGET_PER_MINUTE=60 (default)', budgeted);
  row('reference: SUMMARY_CONCURRENCY=256 (the maximum), budget 100000/min (as good as none)', unbounded);
  console.log(`   ratio of peaks: ${(unbounded.peakInFlight / Math.max(1, bounded.peakInFlight)).toFixed(0)}x fewer concurrent calls with the default`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

