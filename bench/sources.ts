/**
 * Activity sources benchmark (issue 3). Prints:
 *  1. connector SSE stream → activity$ → session store: events/s through the real
 *     source (fetch + eventsource-parser + buffer + publish) from a local SSE server;
 *  2. POST /v1/activity/posthog with autocannon (requests/s, latency, PostHog events/s).
 * Run: npm run bench:sources
 */
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../src/bootstrap';
import { ConnectorSseSource } from '../src/activity/sources/connector/connector-sse.source';
import { FakeSseServer } from '../test/support/fake-sse.server';

Logger.overrideLogger(false);

// autocannon ships without type declarations; only these two result fields are read.
type CannonResult = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
const autocannon: (opts: Record<string, unknown>) => Promise<CannonResult> = require('autocannon');

async function boot(env: Record<string, string>): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', LLM_PROVIDER: 'offline', SUMMARIZER: 'none', ...env } }),
    createHttpAdapter(),
    { ...APP_OPTIONS, logger: false },
  );
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

async function stream(): Promise<void> {
  const server = await new FakeSseServer().start();
  const app = await boot({ STREAM_URL: server.url, UNKEY_API_KEY: 'bench', STREAM_BUFFER_SIZE: '1000' });
  const source = app.get(ConnectorSseSource);
  const conn = await server.connection(1);
  const total = 50_000;
  const chunk = 500;
  const frame = (i: number) =>
    `data: ${JSON.stringify({
      type: 'actions', product_id: 'bench', session_id: `s-${i % 5_000}`, user_id: `u-${i % 5_000}`,
      actions: [0, 1, 2].map((n) => ({ index: n, type: 'click', title: `Clicked 'Button ${n}'`, canonical_url: '/settings', timestamp_start: 1_700_000_000 + n })),
      count: 3, forwarded_at: 1_700_000_000,
    })}\n\n`;
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i += chunk) {
    conn.raw(Array.from({ length: chunk }, (_, k) => frame(i + k)).join(''));
    await new Promise((r) => setImmediate(r));
  }
  for (;;) {
    const s = await source.status();
    if ((s.buffered as number) === 0 && (s.last_event_at as string | null) !== null) {
      const metrics = await (await fetch(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/metrics`)).text();
      const frames = Number(/^connector_stream_frames_total\{kind="data"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      if (frames >= total) {
        const secs = Number(process.hrtime.bigint() - start) / 1e9;
        const dropped = s.dropped as number;
        console.log(
          `[stream] ${total.toLocaleString()} actions events (3 actions each) in ${secs.toFixed(2)} s = ${Math.round(total / secs).toLocaleString()} events/s; delivered ${(total - dropped).toLocaleString()}, dropped ${dropped.toLocaleString()} (buffer 1,000)`,
        );
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await app.close();
  await server.stop();
}

async function posthog(): Promise<void> {
  const app = await boot({ POSTHOG_WEBHOOK_SECRET: 'bench-secret' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const bodies = Array.from({ length: 2_000 }, (_, i) =>
    JSON.stringify({
      batch: Array.from({ length: 5 }, (_, k) => ({
        event: k === 0 ? '$pageview' : '$autocapture', event_type: k === 0 ? '' : 'click', session_id: `ph-${i}`, distinct_id: `u-${i}`,
        current_url: `https://app.example.com/projects/${i}/settings?tab=${k}`, timestamp: new Date(1_700_000_000_000 + k * 1000).toISOString(),
        elements_chain: `span:text="Button ${k}";button.btn.btn-primary:attr__id="b${k}"nth-child="1";div.toolbar:nth-child="2";body`,
      })),
    }),
  );
  let next = 0;
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/v1/activity/posthog`,
      connections: 20,
      duration,
      requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, headers: { 'content-type': 'application/json', 'x-posthog-secret': 'bench-secret' }, body: bodies[next++ % bodies.length] }) }],
    });
  await run(2); // warm-up
  const r = await run(10);
  console.log(
    `[posthog] POST /v1/activity/posthog, batches of 5 events, 20 connections, 10 s: ${Math.round(r.requests.average).toLocaleString()} req/s (${Math.round(r.requests.average * 5).toLocaleString()} events/s), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
  );
  await app.close();
}

(async () => {
  await stream();
  await posthog();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
