import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_REDIS_URL, childEnv, removeTestKeys, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { BullMqJobQueue, type BullMqJobQueueOptions } from './bullmq.job-queue';
import type { JobContext } from './job-queue.port';

/**
 * Stalled-job recovery: a job whose worker stops (killed, or abandoned at shutdown)
 * is run by another instance exactly once, once its lock lapses. Locks are shortened
 * here (1 s, checked every 250 ms) so the suite does not wait 30 s.
 */
const fastLocks: Partial<BullMqJobQueueOptions> = { lockDurationMs: 1_000, stalledIntervalMs: 250 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

beforeAll(requireRedis);
// BullMQ's keys carry no TTL; leave nothing behind in the shared test Redis.
afterAll(() => removeTestKeys('bull'));

describe('BullMqJobQueue stalled-job recovery', () => {
  const queues: BullMqJobQueue[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    while (queues.length) await queues.pop()!.close(1_000);
  });
  const replica = (prefix: string, over: Partial<BullMqJobQueueOptions> = {}) => {
    const q = new BullMqJobQueue({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix }, ...fastLocks, ...over });
    queues.push(q);
    return q;
  };

  it('a job abandoned by a closing instance is taken over by another, exactly once', async () => {
    const prefix = testKeyPrefix('bull');
    const a = replica(prefix);
    let releaseA!: () => void;
    const stuck = new Promise<void>((r) => (releaseA = r));
    const startedOnA: JobContext[] = [];
    a.process('report', async (_p, ctx) => {
      startedOnA.push(ctx);
      await stuck;
    });
    await a.enqueue('report', { n: 1 }, { jobId: 'report:1' });
    await until(() => startedOnA.length === 1);
    await a.close(50); // the handler is still running: abandoned, lock left to lapse

    const b = replica(prefix);
    const ranOnB: JobContext[] = [];
    b.process('report', async (_p, ctx) => void ranOnB.push(ctx));
    await until(() => ranOnB.length === 1);
    releaseA(); // a late finish on the closed instance must not complete or re-queue it
    await sleep(3 * fastLocks.lockDurationMs!);
    expect(ranOnB).toEqual([{ jobId: 'report:1', attempt: 1, attempts: 1 }]);
    const status = await b.status();
    expect(status).toMatchObject({ running: 0, waiting: 0, delayed: 0, completed: 1, failed: 0 });
  });

  it('a job whose worker process is SIGKILLed is run by another instance exactly once', async () => {
    const prefix = testKeyPrefix('bull');
    const web = replica(prefix, { workers: false });
    await web.enqueue('crisp.reply', { text: 'hi' }, { jobId: 'crisp:session-1:fp-1', attempts: 3 });

    // A worker replica in its own process picks the job up and hangs in the handler.
    const script = `
      const { BullMqJobQueue } = require(${JSON.stringify(join(__dirname, 'bullmq.job-queue'))});
      const q = new BullMqJobQueue({ connection: { url: ${JSON.stringify(TEST_REDIS_URL)}, keyPrefix: ${JSON.stringify(prefix)} },
        lockDurationMs: ${fastLocks.lockDurationMs}, stalledIntervalMs: ${fastLocks.stalledIntervalMs} });
      q.process('crisp.reply', async (_p, ctx) => { process.stdout.write('started ' + ctx.jobId + '\\n'); await new Promise(() => {}); });
    `;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      env: childEnv({ LOG_LEVEL: 'silent' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('started crisp:session-1:fp-1'), 20_000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const b = replica(prefix);
    const ranOnB: JobContext[] = [];
    b.process('crisp.reply', async (_p, ctx) => void ranOnB.push(ctx));
    await until(() => ranOnB.length === 1);
    await sleep(3 * fastLocks.lockDurationMs!);
    expect(ranOnB.map((c) => c.jobId)).toEqual(['crisp:session-1:fp-1']);
    expect(await b.status()).toMatchObject({ running: 0, waiting: 0, completed: 1, failed: 0 });
  }, 40_000);
});
