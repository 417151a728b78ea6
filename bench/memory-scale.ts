/**
 * Memory at scale (issue 13): resident memory and heap with 10k, 50k and 100k sessions of
 * 30 actions, the full app (fed over HTTP, as in production) next to the memory session
 * store alone (same options, same events, same parser) measured in the same run, each in a
 * fresh process on the compiled build. Then the eviction case: 100k sessions through the
 * default 256 MB session budget, with Node's default heap limit and with the limit the
 * service recommends at start-up (1.5x the byte budgets + 128 MB).
 * Run: npm run bench:memory
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Agent, request } from 'undici';
const { sessionEvent } = require('./memory-events') as { sessionEvent: (i: number) => string };

const CHILD = join(__dirname, 'memory-scale.child.js');
const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;

interface Measure {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  sessions: number;
}

function ask<T>(child: ChildProcess, msg: string, pick: (m: any) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (!pick(m)) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    if (msg) child.send(msg);
  });
}

async function run(mode: 'app' | 'store', sessions: number, env: Record<string, string>, heapFlag?: string): Promise<Measure> {
  const child = fork(CHILD, [mode, JSON.stringify({ LOG_LEVEL: 'silent', NODE_ENV: 'development', CHANNELS: 'rest', SOURCES: 'push', SUMMARIZER: 'none', LOOKBACK_SECONDS: '3600', ...env })], {
    execArgv: ['--expose-gc', ...(heapFlag ? [heapFlag] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await ask<{ port?: number }>(child, '', (m) => m?.ready);
    let tracked = 0;
    if (mode === 'app') {
      const agent = new Agent({ connections: 16 });
      let next = 0;
      const worker = async () => {
        while (next < sessions) {
          const res = await request(`http://127.0.0.1:${ready.port}/v1/activity`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: sessionEvent(next++) });
          await res.body.text();
          if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      const health = (await (await request(`http://127.0.0.1:${ready.port}/healthz`, { dispatcher: agent })).body.json()) as { sessions_tracked: number };
      tracked = health.sessions_tracked;
      await agent.close();
    } else {
      await ask(child, `fill:${sessions}`, (m) => m?.filled);
    }
    const m = await ask<{ rss: number; heapUsed: number; heapTotal: number; stats: { sessionsTracked?: number } }>(child, 'measure', (x) => x?.rss !== undefined);
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, sessions: mode === 'app' ? tracked : (m.stats.sessionsTracked ?? 0) };
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; building dist/ …`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
  // Budgets large enough that nothing is evicted: what the data itself costs.
  const roomy = { MAX_SESSIONS: '100000', MAX_USERS: '100000', SESSION_STORE_MAX_BYTES: '4gb' };
  console.log('\n1. Holding every session (SESSION_STORE_MAX_BYTES=4gb, MAX_SESSIONS=100000), after a forced GC');
  console.log('   | sessions | full app RSS | app heap used | store alone RSS | store heap used | app − store (heap) |');
  console.log('   |---|---|---|---|---|---|');
  for (const n of [10_000, 50_000, 100_000]) {
    const app = await run('app', n, roomy, '--max-old-space-size=8192');
    const store = await run('store', n, roomy, '--max-old-space-size=8192');
    console.log(`   | ${n.toLocaleString()} (${app.sessions.toLocaleString()} / ${store.sessions.toLocaleString()} kept) | ${mb(app.rss)} | ${mb(app.heapUsed)} | ${mb(store.rss)} | ${mb(store.heapUsed)} | ${mb(app.heapUsed - store.heapUsed)} |`);
  }
  console.log('\n2. 100,000 sessions through the default budgets (SESSION_STORE_MAX_BYTES=256mb evicts), full app, after a forced GC');
  console.log('   | heap limit | sessions kept | RSS | heap used | heap total |');
  console.log('   |---|---|---|---|---|');
  for (const [label, flag] of [['Node default', undefined], ['recommended (--max-old-space-size=768)', '--max-old-space-size=768']] as const) {
    const r = await run('app', 100_000, {}, flag);
    console.log(`   | ${label} | ${r.sessions.toLocaleString()} | ${mb(r.rss)} | ${mb(r.heapUsed)} | ${mb(r.heapTotal)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
