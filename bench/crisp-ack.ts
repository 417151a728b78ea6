/**
 * Crisp acknowledgement benchmark (issue 6): POST /crisp/hooks with visitor text
 * messages, each with a unique fingerprint, so every request is authenticated,
 * parsed, validated, claimed for dedupe and queued as a real reply job. The app runs
 * in this process with the offline LLM; the fake Crisp API runs in a child process
 * (it stands for a remote service). Two runs:
 *  1. acknowledgement only: the reply workers are paused while autocannon runs (as
 *     when workers run elsewhere), then resumed; every queued reply is then sent;
 *  2. acknowledgement while this same process also sends every reply (typing on/off,
 *     meta lookup, context + answer, send): the single-process worst case.
 * The queue's backlog cap is raised for the bench so 10 s of load fits in it.
 * Run: npx ts-node --transpile-only bench/crisp-ack.ts
 */
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../src/bootstrap';
import { MetricsService } from '../src/observability/metrics.service';
import { MemoryJobQueue } from '../src/queue/memory.job-queue';
import { JOB_QUEUE } from '../src/queue/queue.constants';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
}
// autocannon ships no types; this is the slice used here.
const autocannon: (opts: Record<string, unknown>) => Promise<AutocannonResult> = require('autocannon');

Logger.overrideLogger(false);

const WEBSITE = '42286ab3-b29a-4fde-8538-da0ae501d825';
const KEY = 'bench-hook-key';
const CONNECTIONS = 20;
const DURATION_S = 10;

/** Sends an IPC message to the fake Crisp process and waits for its answer. */
async function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  child.send(msg);
  const [reply] = (await once(child, 'message')) as [T];
  return reply;
}

async function startFakeCrisp(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(__dirname, 'crisp-fake.child.ts'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
  const [msg] = (await once(child, 'message')) as [{ url: string }];
  return { child, url: msg.url };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cores`);
  const crisp = await startFakeCrisp();
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        env: {
          NODE_ENV: 'test', LOG_LEVEL: 'silent', LLM_PROVIDER: 'offline', SUMMARIZER: 'none', CHANNELS: 'crisp',
          CRISP_WEBSITE_ID: WEBSITE, CRISP_TOKEN_IDENTIFIER: 'bench', CRISP_TOKEN_KEY: 'bench', CRISP_WEBHOOK_SECRET: KEY, CRISP_API_URL: crisp.url,
        },
      }),
    ],
  })
    .overrideProvider(JOB_QUEUE)
    .useFactory({ factory: (metrics: MetricsService) => new MemoryJobQueue({ metrics, maxPending: 500_000 }), inject: [MetricsService] })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(createHttpAdapter(), { ...APP_OPTIONS, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const queue = app.get<MemoryJobQueue>(JOB_QUEUE);

  let seq = 0;
  const body = () => {
    const n = seq++;
    const session = `session_bench_${n % 1_000}`;
    return JSON.stringify({
      website_id: WEBSITE,
      event: 'message:send',
      data: {
        website_id: WEBSITE, session_id: session, type: 'text', content: `How do I export my invoices? (${n})`, from: 'user', origin: 'chat',
        stamped: true, timestamp: 1_506_985_696_616 + n, fingerprint: 150_698_569_649_423 + n, user: { nickname: 'visitor', user_id: session },
      },
      timestamp: 1_506_985_696_616 + n,
    });
  };
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/crisp/hooks?key=${KEY}`,
      connections: CONNECTIONS,
      pipelining: 1,
      duration,
      requests: [{ method: 'POST', setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: { 'content-type': 'application/json' }, body: body() }) }],
    });

  const measure = async (label: string, paused: boolean) => {
    await ask(crisp.child, 'reset');
    const before = seq;
    if (paused) queue.pause();
    const result = await run(DURATION_S);
    const hooks = seq - before;
    const s = await queue.status();
    const backlog = s.waiting + s.running + s.delayed;
    if (paused) queue.resume();
    const drainStart = process.hrtime.bigint();
    await queue.drain(300_000);
    const drainSecs = Number(process.hrtime.bigint() - drainStart) / 1e9;
    const { sent } = await ask<{ sent: number }>(crisp.child, 'count');
    console.log(
      `[${label}] POST /crisp/hooks, ${CONNECTIONS} connections, ${DURATION_S} s: ${Math.round(result.requests.average).toLocaleString()} req/s, ` +
        `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
    );
    console.log(
      `[${label}]   ${hooks.toLocaleString()} hooks → ${sent.toLocaleString()} operator messages sent; backlog at end of load ${backlog.toLocaleString()}, ` +
        `drained ${drainSecs.toFixed(2)} s later`,
    );
  };

  await run(2); // warm-up
  await queue.drain(60_000);
  await measure('ack only, workers paused', true);
  await measure('ack + replies in this process', false);
  await app.close();
  crisp.child.send('stop');
  await once(crisp.child, 'exit');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
