/**
 * Ingest benchmark (issue 2). Prints:
 *  1. in-process append throughput of the memory session store (actions/s),
 *  2. POST /v1/activity over HTTP with autocannon (requests/s, p50/p99 latency, signed bodies),
 *  3. resident memory with 10,000 sessions x 30 actions (fresh process, compiled build).
 * Run: npm run bench:ingest
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MemorySessionStore } from '../src/activity/session-store/memory.session-store';
import type { Action, ActionsEvent } from '../src/activity/activity.types';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../src/bootstrap';
import { hmacSha256Hex } from '../src/common/secrets';

Logger.overrideLogger(false);

const storeOpts = { lookbackSeconds: 300, maxActions: 30, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400 };

const mkAction = (i: number): Action => ({
  index: i, type: i % 3 === 0 ? 'pageview' : 'click', title: `Clicked 'Button ${i}'`, description: `User clicked button ${i} on the settings page`,
  canonicalUrl: `/settings/section-${i % 7}`, rawUrl: `https://app.example.com/settings/section-${i % 7}?tab=${i}`, timestampStart: 1_700_000_000 + i, timestampEnd: 1_700_000_001 + i,
});

const mkEvent = (session: number, actions: Action[]): ActionsEvent => ({
  type: 'actions', productId: 'bench', sessionId: `s-${session}`, userId: `u-${session}`, email: `user${session}@example.com`,
  actions, count: actions.length, forwardedAt: 1_700_000_000, source: 'test',
});

async function inProcess(): Promise<void> {
  const store = new MemorySessionStore(storeOpts);
  const batch = Array.from({ length: 10 }, (_, i) => mkAction(i));
  const sessions = 5_000;
  const rounds = 60; // 5,000 sessions x 60 batches x 10 actions = 3,000,000 actions
  for (let s = 0; s < 500; s++) await store.appendActions(mkEvent(s, batch)); // warm-up
  const start = process.hrtime.bigint();
  let actions = 0;
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < sessions; s++) {
      await store.appendActions(mkEvent(s, batch));
      actions += batch.length;
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`[in-process] memory store appendActions: ${actions.toLocaleString()} actions in ${secs.toFixed(2)} s = ${Math.round(actions / secs).toLocaleString()} actions/s (batches of 10, ${sessions.toLocaleString()} sessions)`);
}

async function overHttp(): Promise<void> {
  const secret = 'bench-secret';
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', CONNECTOR_WEBHOOK_SECRET: secret, LLM_PROVIDER: 'offline', SUMMARIZER: 'none' } }),
    createHttpAdapter(),
    { ...APP_OPTIONS, logger: false },
  );
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  // A pool of distinct signed bodies (3 actions each), cycled by the load generator.
  const bodies = Array.from({ length: 2_000 }, (_, i) => {
    const body = JSON.stringify({
      type: 'actions', product_id: 'bench', session_id: `s-${i}`, user_id: `u-${i}`,
      actions: [0, 1, 2].map((n) => ({ index: n, type: 'click', title: `Clicked 'Button ${n}'`, canonical_url: '/settings' })),
    });
    return { body, signature: `sha256=${hmacSha256Hex(secret, body)}` };
  });
  let next = 0;
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/v1/activity`,
      connections: 20,
      pipelining: 1,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (req: any) => {
            const b = bodies[next++ % bodies.length];
            return { ...req, body: b.body, headers: { ...req.headers, 'content-type': 'application/json', 'x-connector-signature': b.signature } };
          },
        },
      ],
    });
  await run(2); // warm-up
  const result = await run(10);
  console.log(
    `[http] POST /v1/activity (signed, 3 actions, 20 connections, 10 s): ${Math.round(result.requests.average).toLocaleString()} req/s, ` +
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  await app.close();
}

/** Memory is measured in a fresh plain-Node process on the compiled build (see ingest-memory.js). */
function residentMemory(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['--expose-gc', join(__dirname, 'ingest-memory.js')], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cores`);
  await inProcess();
  await overHttp();
  residentMemory();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
