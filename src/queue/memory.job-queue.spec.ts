import { MetricsService } from '../observability/metrics.service';
import { runJobQueueContract } from './job-queue.contract';
import { backoffDelay, MemoryJobQueue } from './memory.job-queue';

runJobQueueContract('memory', (o) => new MemoryJobQueue(o));

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

describe('MemoryJobQueue (in-process specifics)', () => {
  let q: MemoryJobQueue;
  afterEach(() => q?.close());

  it('counts outcomes in jobs_total', async () => {
    const metrics = new MetricsService();
    q = new MemoryJobQueue({ metrics });
    q.process('flaky', async (_p, ctx) => {
      if (ctx.attempt < 3) throw new Error('try again');
    });
    await q.enqueue('flaky', {}, { attempts: 5, backoff: fast });
    await q.drain(1_000);
    const text = await metrics.render();
    expect(text).toContain('jobs_total{name="flaky",outcome="retried"} 2');
    expect(text).toContain('jobs_total{name="flaky",outcome="completed"} 1');
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

  it('backlog caps are per job name, so one kind of work cannot block another', async () => {
    q = new MemoryJobQueue({ maxPending: 1 });
    await q.enqueue('summary', 1);
    await expect(q.enqueue('summary', 2)).rejects.toThrow(/full/);
    expect((await q.enqueue('reply', 1)).enqueued).toBe(true);
  });

  it('drain gives up at its timeout while a retry is still waiting', async () => {
    q = new MemoryJobQueue();
    q.process('stuck', async () => {
      throw new Error('no');
    });
    await q.enqueue('stuck', {}, { attempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } });
    await q.drain(50);
    expect((await q.status()).delayed).toBe(1);
  });
});
