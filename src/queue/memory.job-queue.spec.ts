import { MetricsService } from '../health/metrics.service';
import { UnrecoverableJobError, type JobContext } from './job-queue.port';
import { backoffDelay, MemoryJobQueue, QueueClosedError, QueueFullError } from './memory.job-queue';
import { createJobQueue, QueueDriverUnavailableError } from './queue.module';

const fast = { type: 'exponential' as const, delayMs: 1, maxDelayMs: 5 };

describe('backoffDelay', () => {
  it('doubles per retry, adds at most 25% jitter and respects the cap', () => {
    const b = { type: 'exponential' as const, delayMs: 1_000, maxDelayMs: 30_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(b, n, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(b, 3, () => 1)).toBe(5_000);
    expect(backoffDelay(b, 10, () => 0.5)).toBe(30_000);
    expect(backoffDelay({ type: 'fixed', delayMs: 500 }, 4, () => 0)).toBe(500);
  });
});

describe('MemoryJobQueue', () => {
  let q: MemoryJobQueue;
  afterEach(() => q?.close());

  it('runs a job with its payload and context', async () => {
    q = new MemoryJobQueue();
    const seen: Array<[unknown, JobContext]> = [];
    q.process('greet', async (p, ctx) => void seen.push([p, ctx]));
    const res = await q.enqueue('greet', { to: 'jane' }, { jobId: 'j1', attempts: 3 });
    expect(res).toEqual({ jobId: 'j1', enqueued: true });
    await q.drain(1_000);
    expect(seen).toEqual([[{ to: 'jane' }, { jobId: 'j1', attempt: 1, attempts: 3 }]]);
  });

  it('retries with backoff until the handler succeeds, and counts outcomes', async () => {
    const metrics = new MetricsService();
    q = new MemoryJobQueue({ metrics });
    const attempts: number[] = [];
    q.process('flaky', async (_p, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('try again');
    });
    await q.enqueue('flaky', {}, { attempts: 5, backoff: fast });
    await q.drain(1_000);
    expect(attempts).toEqual([1, 2, 3]);
    const text = await metrics.render();
    expect(text).toContain('jobs_total{name="flaky",outcome="retried"} 2');
    expect(text).toContain('jobs_total{name="flaky",outcome="completed"} 1');
  });

  it('gives up after `attempts` tries', async () => {
    q = new MemoryJobQueue();
    let calls = 0;
    q.process('doomed', async () => {
      calls++;
      throw new Error('always');
    });
    await q.enqueue('doomed', {}, { attempts: 4, backoff: fast });
    await q.drain(1_000);
    expect(calls).toBe(4);
    expect(q.stats().active).toBe(0);
  });

  it('stops retrying on UnrecoverableJobError', async () => {
    q = new MemoryJobQueue();
    let calls = 0;
    q.process('bad', async () => {
      calls++;
      throw new UnrecoverableJobError('400 from upstream');
    });
    await q.enqueue('bad', {}, { attempts: 5, backoff: fast });
    await q.drain(1_000);
    expect(calls).toBe(1);
  });

  it('refuses a job id that is queued, running, waiting for a retry or recently finished', async () => {
    q = new MemoryJobQueue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    q.process('once', async () => {
      calls++;
      await gate;
    });
    expect((await q.enqueue('once', {}, { jobId: 'k' })).enqueued).toBe(true);
    expect((await q.enqueue('once', {}, { jobId: 'k' })).enqueued).toBe(false);
    release();
    await q.drain(1_000);
    expect((await q.enqueue('once', {}, { jobId: 'k' })).enqueued).toBe(false);
    expect(calls).toBe(1);
  });

  it('forgets finished ids after the remember window (bounded memory)', async () => {
    q = new MemoryJobQueue({ maxRemembered: 2 });
    let calls = 0;
    q.process('n', async () => void calls++);
    for (const id of ['a', 'b', 'c']) await q.enqueue('n', {}, { jobId: id });
    await q.drain(1_000);
    // 'a' was evicted by the cap of 2, so it may run again; 'c' is still remembered.
    expect((await q.enqueue('n', {}, { jobId: 'a' })).enqueued).toBe(true);
    expect((await q.enqueue('n', {}, { jobId: 'c' })).enqueued).toBe(false);
    await q.drain(1_000);
    expect(calls).toBe(4);
  });

  it('holds jobs enqueued before their handler exists', async () => {
    q = new MemoryJobQueue();
    await q.enqueue('late', 1);
    const seen: unknown[] = [];
    q.process('late', async (p) => void seen.push(p));
    await q.drain(1_000);
    expect(seen).toEqual([1]);
  });

  it('pause holds queued jobs until resume', async () => {
    q = new MemoryJobQueue();
    const seen: number[] = [];
    q.process('held', async (p: number) => void seen.push(p));
    q.pause();
    await q.enqueue('held', 1);
    await q.enqueue('held', 2);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    q.resume();
    await q.drain(1_000);
    expect(seen).toEqual([1, 2]);
  });

  it('refuses work beyond maxPending and after close', async () => {
    q = new MemoryJobQueue({ maxPending: 1 });
    await q.enqueue('slow', 1);
    await expect(q.enqueue('slow', 2)).rejects.toBeInstanceOf(QueueFullError);
    q.close();
    await expect(q.enqueue('slow', 3)).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('drain gives up at its timeout while a retry is still waiting', async () => {
    q = new MemoryJobQueue();
    q.process('stuck', async () => {
      throw new Error('no');
    });
    await q.enqueue('stuck', {}, { attempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } });
    await q.drain(50);
    expect(q.stats().active).toBe(1);
  });

  it('keeps running other jobs when a handler throws a non-Error', async () => {
    q = new MemoryJobQueue({ concurrency: 1 });
    const seen: string[] = [];
    q.process('mixed', async (p: string) => {
      if (p === 'boom') throw 'string thrown';
      seen.push(p);
    });
    await q.enqueue('mixed', 'boom');
    await q.enqueue('mixed', 'ok');
    await q.drain(1_000);
    expect(seen).toEqual(['ok']);
  });
});

describe('createJobQueue', () => {
  const cfg = (queue: 'memory' | 'bullmq') => ({ queue }) as never;
  it('builds the in-process queue for QUEUE=memory', () => {
    const q = createJobQueue(cfg('memory'), new MetricsService());
    expect(q).toBeInstanceOf(MemoryJobQueue);
    (q as MemoryJobQueue).close();
  });
  it('refuses QUEUE=bullmq with a clear message', () => {
    expect(() => createJobQueue(cfg('bullmq'), new MetricsService())).toThrow(QueueDriverUnavailableError);
    expect(() => createJobQueue(cfg('bullmq'), new MetricsService())).toThrow(/QUEUE=bullmq is not available in this build/);
  });
});
