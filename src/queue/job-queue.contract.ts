import { QueueUnavailableError, UnrecoverableJobError, type JobContext, type JobQueue } from './job-queue.port';

export interface QueueContractOptions {
  /** Jobs of one name that may wait before enqueue refuses (the backlog cap). */
  maxPending?: number;
  concurrency?: number;
}

/**
 * The behaviour every JOB_QUEUE implementation must have. Run it from the
 * implementation's spec: `runJobQueueContract('memory', (o) => new MemoryJobQueue(o))`.
 * Job names and ids are unique per test, so a shared backend (Redis) needs no flushing.
 */
export function runJobQueueContract(name: string, create: (opts: QueueContractOptions) => JobQueue | Promise<JobQueue>): void {
  describe(`JobQueue contract: ${name}`, () => {
    const queues: JobQueue[] = [];
    let n = 0;
    const unique = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${++n}`;
    const make = async (opts: QueueContractOptions = {}) => {
      const q = await create(opts);
      queues.push(q);
      return q;
    };
    afterEach(async () => {
      while (queues.length) await queues.pop()!.close(1_000);
    });
    const fast = { type: 'exponential' as const, delayMs: 5, maxDelayMs: 20 };

    it('runs a job with its payload and context', async () => {
      const q = await make();
      const job = unique('greet');
      const seen: Array<[unknown, JobContext]> = [];
      q.process(job, async (p, ctx) => void seen.push([p, ctx]));
      const id = unique('id');
      expect(await q.enqueue(job, { to: 'jane' }, { jobId: id, attempts: 3 })).toEqual({ jobId: id, enqueued: true });
      await q.drain(5_000);
      expect(seen).toEqual([[{ to: 'jane' }, { jobId: id, attempt: 1, attempts: 3 }]]);
    });

    it('retries with backoff until the handler succeeds', async () => {
      const q = await make();
      const job = unique('flaky');
      const attempts: number[] = [];
      const at: number[] = [];
      q.process(job, async (_p, ctx) => {
        attempts.push(ctx.attempt);
        at.push(Date.now());
        if (ctx.attempt < 3) throw new Error('try again');
      });
      await q.enqueue(job, {}, { attempts: 5, backoff: { type: 'exponential', delayMs: 40, maxDelayMs: 1_000 } });
      await q.drain(5_000);
      expect(attempts).toEqual([1, 2, 3]);
      // Each retry waited at least its backoff (40 ms, then 80 ms).
      expect(at[1] - at[0]).toBeGreaterThanOrEqual(35);
      expect(at[2] - at[1]).toBeGreaterThanOrEqual(75);
    });

    it('gives up after `attempts` tries, and at once on UnrecoverableJobError', async () => {
      const q = await make();
      const doomed = unique('doomed');
      const bad = unique('bad');
      let doomedCalls = 0;
      let badCalls = 0;
      q.process(doomed, async () => {
        doomedCalls++;
        throw new Error('always');
      });
      q.process(bad, async () => {
        badCalls++;
        throw new UnrecoverableJobError('400 from upstream');
      });
      await q.enqueue(doomed, {}, { attempts: 4, backoff: fast });
      await q.enqueue(bad, {}, { attempts: 5, backoff: fast });
      await q.drain(5_000);
      expect(doomedCalls).toBe(4);
      expect(badCalls).toBe(1);
      const status = await q.status();
      expect(status.failed).toBeGreaterThanOrEqual(2);
      expect(status.running + status.waiting + status.delayed).toBe(0);
    });

    it('refuses a job id that is queued, running, waiting for a retry or recently finished', async () => {
      const q = await make();
      const job = unique('once');
      const id = unique('k');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      q.process(job, async (_p, ctx) => {
        calls++;
        if (ctx.attempt === 1) throw new Error('retry me');
        await gate;
      });
      expect((await q.enqueue(job, {}, { jobId: id, attempts: 2, backoff: fast })).enqueued).toBe(true);
      expect((await q.enqueue(job, {}, { jobId: id })).enqueued).toBe(false);
      await waitUntil(() => calls === 2);
      expect((await q.enqueue(job, {}, { jobId: id })).enqueued).toBe(false);
      release();
      await q.drain(5_000);
      expect((await q.enqueue(job, {}, { jobId: id })).enqueued).toBe(false);
      expect(calls).toBe(2);
    });

    it('lets a finished id run again when the job asked for it (one at a time, not once ever)', async () => {
      const q = await make();
      const job = unique('again');
      const id = unique('summary');
      let release!: () => void;
      let gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      q.process(job, async () => {
        calls++;
        await gate;
      });
      expect((await q.enqueue(job, {}, { jobId: id, reuseIdWhenFinished: true })).enqueued).toBe(true);
      await waitUntil(() => calls === 1);
      expect((await q.enqueue(job, {}, { jobId: id, reuseIdWhenFinished: true })).enqueued).toBe(false);
      release();
      await q.drain(5_000);
      gate = Promise.resolve();
      expect((await q.enqueue(job, {}, { jobId: id, reuseIdWhenFinished: true })).enqueued).toBe(true);
      await q.drain(5_000);
      expect(calls).toBe(2);
    });

    it('holds jobs enqueued before their handler exists', async () => {
      const q = await make();
      const job = unique('late');
      await q.enqueue(job, 1);
      const seen: unknown[] = [];
      q.process(job, async (p) => void seen.push(p));
      await q.drain(5_000);
      expect(seen).toEqual([1]);
    });

    it('runs at most `concurrency` jobs of a name at once', async () => {
      const q = await make();
      const job = unique('bounded');
      let running = 0;
      let peak = 0;
      q.process(job, async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(20);
        running--;
      }, { concurrency: 2 });
      for (let i = 0; i < 8; i++) await q.enqueue(job, i);
      await q.drain(5_000);
      expect(peak).toBe(2);
    });

    it('refuses work beyond its backlog cap with QueueUnavailableError("full")', async () => {
      const q = await make({ maxPending: 2 });
      const job = unique('slow');
      await q.enqueue(job, 1);
      await q.enqueue(job, 2);
      const err = await q.enqueue(job, 3).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueUnavailableError);
      expect((err as QueueUnavailableError).reason).toBe('full');
      q.process(job, async () => undefined);
      await q.drain(5_000);
      expect((await q.enqueue(job, 4)).enqueued).toBe(true);
    });

    it('close lets running work finish, then refuses new jobs with QueueUnavailableError("closed")', async () => {
      const q = await make();
      const job = unique('closing');
      const done: number[] = [];
      q.process(job, async (p: number) => {
        await sleep(50);
        done.push(p);
      });
      await q.enqueue(job, 1);
      await waitUntil(async () => (await q.status()).running === 1);
      await q.close(2_000);
      expect(done).toEqual([1]);
      const err = await q.enqueue(job, 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueUnavailableError);
      expect((err as QueueUnavailableError).reason).toBe('closed');
    });

    it('keeps running other jobs when a handler throws a non-Error', async () => {
      const q = await make({ concurrency: 1 });
      const job = unique('mixed');
      const seen: string[] = [];
      q.process(job, async (p: string) => {
        if (p === 'boom') throw 'string thrown';
        seen.push(p);
      });
      await q.enqueue(job, 'boom');
      await q.enqueue(job, 'ok');
      await q.drain(5_000);
      expect(seen).toEqual(['ok']);
    });

    it('reports its state', async () => {
      const q = await make();
      const status = await q.status();
      expect(status.state).toBe('up');
      expect(typeof status.driver).toBe('string');
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(5);
  }
}
