import { MetricsService } from '../observability/metrics.service';
import { DisposableRedis, TEST_REDIS_URL, freePort, removeTestKeys, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { BullMqJobQueue, type BullMqJobQueueOptions } from './bullmq.job-queue';
import { runJobQueueContract } from './job-queue.contract';
import { QueueUnavailableError, RetryLaterError, type JobContext } from './job-queue.port';

beforeAll(requireRedis);
// BullMQ's keys carry no TTL; leave nothing behind in the shared test Redis.
afterAll(() => removeTestKeys('bull'));

runJobQueueContract(
  'bullmq',
  (o) => new BullMqJobQueue({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('bull') }, maxPending: o.maxPending, concurrency: o.concurrency }),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('BullMqJobQueue (BullMQ specifics)', () => {
  const queues: BullMqJobQueue[] = [];
  /** Several replicas sharing one Redis prefix. */
  const cluster = () => {
    const prefix = testKeyPrefix('bull');
    return (over: Partial<BullMqJobQueueOptions> = {}) => {
      const q = new BullMqJobQueue({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix }, ...over });
      queues.push(q);
      return q;
    };
  };
  afterEach(async () => {
    while (queues.length) await queues.pop()!.close(1_000);
  });

  it('accepts job ids with any characters and hands the original id to the handler', async () => {
    const q = cluster()();
    const seen: string[] = [];
    q.process('summary', async (_p, ctx) => void seen.push(ctx.jobId));
    const ids = ['summary:prod:sess-1', 'crisp:s:1700000000:fp', '42', 'with space/and?query'];
    for (const id of ids) expect(await q.enqueue('summary', {}, { jobId: id })).toEqual({ jobId: id, enqueued: true });
    expect((await q.enqueue('summary', {}, { jobId: 'summary:prod:sess-1' })).enqueued).toBe(false);
    await q.drain(5_000);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('a busy job name does not hold up another (one queue per name)', async () => {
    const q = cluster()();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.process('slow', async () => gate, { concurrency: 1 });
    const fast: number[] = [];
    q.process('fast', async (p: number) => void fast.push(p), { concurrency: 1 });
    await q.enqueue('slow', 1);
    await q.enqueue('slow', 2);
    for (let i = 0; i < 5; i++) await q.enqueue('fast', i);
    await until(() => fast.length === 5);
    expect((await q.status()).running).toBe(1);
    release();
    await q.drain(5_000);
  });

  it('a web-role replica enqueues but never runs jobs; a worker replica runs each exactly once', async () => {
    const replica = cluster();
    const web = replica({ workers: false });
    const ranOnWeb: number[] = [];
    web.process('work', async (p: number) => void ranOnWeb.push(p));
    for (let i = 0; i < 20; i++) await web.enqueue('work', i, { jobId: `work:${i}` });
    await sleep(100);
    expect(ranOnWeb).toEqual([]);
    expect((await web.status()).waiting).toBe(20);

    const ran: Array<[string, number]> = [];
    for (const who of ['w1', 'w2']) replica().process('work', async (p: number) => void ran.push([who, p]), { concurrency: 4 });
    await web.drain(10_000);
    expect(ran.map(([, p]) => p).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await web.status()).completed).toBe(20);
  });

  it('jobs survive a restart: enqueued on one instance, closed, run by the next', async () => {
    const replica = cluster();
    const before = replica();
    await before.enqueue('durable', 'payload', { jobId: 'durable:1' });
    await before.close();
    const seen: Array<[unknown, JobContext]> = [];
    const after = replica();
    after.process('durable', async (p, ctx) => void seen.push([p, ctx]));
    await until(() => seen.length === 1);
    expect(seen).toEqual([['payload', { jobId: 'durable:1', attempt: 1, attempts: 1 }]]);
  });

  it('retries on the backoff curve of the memory queue (exponential, jitter from `random`, capped)', async () => {
    const q = cluster()({ random: () => 0 });
    const at: number[] = [];
    q.process('curve', async () => {
      at.push(Date.now());
      if (at.length < 4) throw new Error('again');
    });
    await q.enqueue('curve', {}, { attempts: 4, backoff: { type: 'exponential', delayMs: 100, maxDelayMs: 250 } });
    await q.drain(10_000);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    // 100, 200, then the 250 cap; never sooner than the curve says.
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(245);
  });

  it('a RetryLaterError waits at least the delay it asks for, even on a job with no backoff, and counts as an attempt', async () => {
    const q = cluster()({ random: () => 0 });
    const at: number[] = [];
    q.process('later', async () => {
      at.push(Date.now());
      throw new RetryLaterError('HTTP 429', 300);
    });
    await q.enqueue('later', {}, { attempts: 2 });
    await q.drain(10_000);
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(295);
    expect((await q.status()).failed).toBe(1);
  });

  it('a RetryLaterError shorter than the backoff waits for the backoff (the longer of the two)', async () => {
    const q = cluster()({ random: () => 0 });
    const at: number[] = [];
    q.process('longer', async () => {
      at.push(Date.now());
      if (at.length === 1) throw new RetryLaterError('HTTP 503', 10);
    });
    await q.enqueue('longer', {}, { attempts: 3, backoff: { type: 'fixed', delayMs: 400 } });
    await q.drain(10_000);
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(395);
  });

  it('close is idempotent: every caller waits for the same close', async () => {
    const q = cluster()();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    q.process('slow-close', async () => {
      await gate;
      finished = true;
    });
    await q.enqueue('slow-close', 1);
    await until(async () => (await q.status()).running === 1);
    const first = q.close(5_000);
    const second = q.close(5_000);
    expect(second).toBe(first);
    await expect(q.enqueue('slow-close', 2)).rejects.toMatchObject({ reason: 'closed' });
    release();
    await Promise.all([first, second]);
    expect(finished).toBe(true);
    await q.close();
  });

  it('keeps a bounded number of finished jobs; an id past the bound may run again', async () => {
    const q = cluster()({ maxRemembered: 2 });
    let calls = 0;
    q.process('n', async () => void calls++, { concurrency: 1 });
    for (const id of ['a', 'b', 'c']) await q.enqueue('n', {}, { jobId: id });
    await q.drain(5_000);
    expect((await q.status()).completed).toBe(2);
    expect((await q.enqueue('n', {}, { jobId: 'a' })).enqueued).toBe(true);
    expect((await q.enqueue('n', {}, { jobId: 'c' })).enqueued).toBe(false);
    await q.drain(5_000);
    expect(calls).toBe(4);
  });

  it('a reusable id that failed for good can be enqueued again', async () => {
    const q = cluster()();
    let calls = 0;
    q.process('flaky', async () => {
      calls++;
      if (calls === 1) throw new Error('first run fails');
    });
    await q.enqueue('flaky', {}, { jobId: 'summary:p:s', reuseIdWhenFinished: true });
    await q.drain(5_000);
    expect((await q.enqueue('flaky', {}, { jobId: 'summary:p:s', reuseIdWhenFinished: true })).enqueued).toBe(true);
    await q.drain(5_000);
    expect(calls).toBe(2);
  });

  it('counts outcomes in jobs_total', async () => {
    const metrics = new MetricsService();
    const q = cluster()({ metrics });
    q.process('m', async (_p, ctx) => {
      if (ctx.attempt < 3) throw new Error('again');
    });
    await q.enqueue('m', {}, { jobId: 'm1', attempts: 5, backoff: { type: 'fixed', delayMs: 5 } });
    await q.enqueue('m', {}, { jobId: 'm1' });
    await q.drain(5_000);
    await until(async () => (await metrics.render()).includes('jobs_total{name="m",outcome="completed"} 1'));
    const text = await metrics.render();
    expect(text).toContain('jobs_total{name="m",outcome="enqueued"} 1');
    expect(text).toContain('jobs_total{name="m",outcome="deduplicated"} 1');
    expect(text).toContain('jobs_total{name="m",outcome="retried"} 2');
  });

  it('enqueue rejects with QueueUnavailableError("unreachable") when Redis was never reachable', async () => {
    const q = new BullMqJobQueue({ connection: { url: `redis://127.0.0.1:${await freePort()}` }, enqueueTimeoutMs: 300 });
    queues.push(q);
    const err = await q.enqueue('x', 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueUnavailableError);
    expect((err as QueueUnavailableError).reason).toBe('unreachable');
    expect((await q.status()).state).toBe('down');
  });

  it('while Redis is down enqueue rejects at once with "unreachable"; after it is back, work resumes', async () => {
    const server = await DisposableRedis.start();
    try {
      const q = new BullMqJobQueue({ connection: { url: server.url, reconnectMaxMs: 200 } });
      queues.push(q);
      const seen: number[] = [];
      q.process('outage', async (p: number) => void seen.push(p));
      await q.enqueue('outage', 1);
      await until(() => seen.length === 1);
      await server.down();
      await until(async () => (await q.status()).state === 'down');
      const err = await q.enqueue('outage', 2).catch((e: unknown) => e);
      expect((err as QueueUnavailableError).reason).toBe('unreachable');
      await server.up();
      await until(async () => (await q.status()).state === 'up');
      expect((await q.enqueue('outage', 3)).enqueued).toBe(true);
      await until(() => seen.includes(3));
      await q.close(1_000);
    } finally {
      await server.down();
    }
  });

  it('close during an outage returns after its timeout instead of waiting for Redis', async () => {
    const server = await DisposableRedis.start();
    try {
      const q = new BullMqJobQueue({ connection: { url: server.url, reconnectMaxMs: 200 } });
      queues.push(q);
      let ran = 0;
      q.process('outage', async () => void ran++);
      await q.enqueue('outage', 1);
      await until(() => ran === 1);
      await server.down();
      await q.close(300);
      await expect(q.enqueue('outage', 2)).rejects.toMatchObject({ reason: 'closed' });
      // BullMQ's watchdog for the blocking fetch that never reached Redis (6 s) outlives
      // the close by design; let it lapse so the test leaves nothing running.
      await sleep(6_500);
    } finally {
      await server.down();
    }
  }, 20_000);
});
