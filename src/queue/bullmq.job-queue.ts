import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage } from '../common/text';
import { withoutStack } from '../common/without-stack';
import type { LabelledCounter } from '../observability/labelled-counter';
import { RedisConnection, bullmqWorkerConnection } from '../redis/redis-connection';
import { RedisUnavailableError, toRedisError } from '../redis/redis-errors';
import { BacklogGate } from './bullmq.backlog';
import { bullJobId, bullQueueName } from './bullmq.names';
import type { BullMqJobQueueOptions } from './bullmq.options';
import { CLOSE_STEP_MS, TIMED_OUT, settlesWithin, withTimeout } from './bullmq.timing';
import { JobTracker } from './bullmq.tracker';
import {
  QueueUnavailableError,
  RetryLaterError,
  UnrecoverableJobError,
  type BackoffOptions,
  type EnqueueOptions,
  type JobHandler,
  type JobQueue,
  type ProcessOptions,
  type QueueStatus,
} from './job-queue.port';
import { backoffDelay } from './memory.job-queue';

export type { BullMqJobQueueOptions } from './bullmq.options';

/** What we store as BullMQ job data: the caller's id and payload, a nonce, and the backoff. */
interface Envelope {
  id: string;
  p: unknown;
  n: string;
  b?: BackoffOptions;
}

/** Not a BullMQ built-in, so every retry delay comes from retryDelay (same rules as the memory queue). */
const BACKOFF_TYPE = 'activity-copilot';

/**
 * The delay before retry `retry` (1-based), as the memory queue computes it: the job's
 * backoff curve, or at least what a RetryLaterError asked for (Retry-After), whichever
 * is longer. The retry counts as an attempt either way.
 */
export function retryDelay(backoff: BackoffOptions | undefined, retry: number, err: unknown, random: () => number): number {
  const curve = backoff ? backoffDelay(backoff, retry, random) : 0;
  return err instanceof RetryLaterError ? Math.max(curve, Math.max(0, err.delayMs)) : curve;
}

interface Lane {
  worker: Worker;
  running: number;
  /** Set when close() gave up waiting: results of jobs still running are no longer reported. */
  abandoned: boolean;
}

/** Never settles: what an abandoned job's processor returns, so BullMQ never reports it. */
const NEVER = new Promise<never>(() => undefined);

/**
 * JOB_QUEUE on BullMQ: durable, shared by replicas, jobs survive restarts.
 *
 * One BullMQ queue per job name: BullMQ's concurrency is per Worker and a Worker takes
 * whatever its queue holds next, so only separate queues give per-name concurrency and
 * keep a burst of one kind of work from starving another; jobs of a name with no
 * handler anywhere simply wait in their queue; the backlog cap and counts are per name.
 *
 * Dedupe is BullMQ's own: a job id that exists (waiting, delayed, running, or retained
 * after finishing) is not added again. Finished jobs are retained for
 * rememberFinishedSeconds (completed) / keepFailedSeconds (failed), bounded by count,
 * except for `reuseIdWhenFinished` jobs, removed as they finish. BullMQ trims by age
 * when another job of the name finishes, so a quiet queue keeps its last ids longer.
 */
export class BullMqJobQueue implements JobQueue {
  private readonly logger = new Logger(BullMqJobQueue.name);
  private readonly producer: RedisConnection;
  private readonly prefix: string;
  private readonly queues = new Map<string, Queue>();
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private readonly lanes = new Map<string, Lane>();
  private readonly tracker = new JobTracker();
  private readonly backlog: BacklogGate;
  private readonly outcomes?: LabelledCounter;
  private readonly random: () => number;
  private readonly enqueueTimeoutMs: number;
  private closing?: Promise<void>;
  private lastCounts: Omit<QueueStatus, 'driver' | 'state'> = { waiting: 0, running: 0, delayed: 0, failed: 0, completed: 0 };
  private lastWorkerError?: string;

  constructor(private readonly opts: BullMqJobQueueOptions) {
    this.producer = new RedisConnection({ ...opts.connection, connectionName: opts.connection.connectionName ?? 'bullmq-producer' });
    this.prefix = `${opts.connection.keyPrefix ?? ''}bull`;
    this.backlog = new BacklogGate(opts.maxPending ?? 10_000, opts.pendingCacheMs ?? 1_000);
    this.random = opts.random ?? Math.random;
    this.enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 2_000;
    this.outcomes = opts.metrics?.labelledCounter({
      name: 'jobs_total',
      help: 'Background jobs by name and outcome (enqueued, deduplicated, rejected, completed, retried, failed)',
      labelNames: ['name', 'outcome'],
    });
  }

  async enqueue<P>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<{ jobId: string; enqueued: boolean }> {
    if (this.closing) throw new QueueUnavailableError('closed', 'the job queue is closed');
    const jobId = opts.jobId ?? randomUUID();
    try {
      const enqueued = await withTimeout(this.add(name, payload, jobId, opts), this.enqueueTimeoutMs);
      this.count(name, enqueued ? 'enqueued' : 'deduplicated');
      return { jobId, enqueued };
    } catch (err) {
      if (err instanceof QueueUnavailableError) {
        this.count(name, 'rejected');
        throw err;
      }
      const mapped = err === TIMED_OUT ? new RedisUnavailableError(`no answer within ${this.enqueueTimeoutMs} ms`) : toRedisError(err);
      if (!(mapped instanceof RedisUnavailableError)) throw mapped;
      this.count(name, 'rejected');
      throw new QueueUnavailableError('unreachable', `job queue unreachable: ${mapped.message}`);
    }
  }

  process<P>(name: string, handler: JobHandler<P>, opts: ProcessOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`a handler for job ${name} is already registered`);
    this.handlers.set(name, handler as JobHandler<unknown>);
    if (this.opts.workers === false || this.closing) return;
    const worker = new Worker(bullQueueName(name), (job: Job) => this.run(name, job), {
      connection: bullmqWorkerConnection(this.opts.connection, () => this.closing !== undefined),
      prefix: this.prefix,
      name: this.opts.instanceName ?? `${hostname()}:${process.pid}`,
      concurrency: Math.max(1, opts.concurrency ?? this.opts.concurrency ?? 32),
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.opts.maxStalledCount ?? 1,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: { data: unknown }) =>
          retryDelay((job?.data as Envelope | undefined)?.b, attemptsMade, err, this.random),
      },
    });
    const lane: Lane = { worker, running: 0, abandoned: false };
    this.lanes.set(name, lane);
    worker.on('completed', () => this.count(name, 'completed'));
    worker.on('failed', (job: Job | undefined, err: Error) => this.onFailed(name, job, err));
    worker.on('stalled', (id: string) => this.logger.warn({ name, bullJobId: id }, 'job stalled (its worker stopped renewing the lock); handed to another worker'));
    worker.on('error', (err: Error) => this.onWorkerError(name, err));
  }

  /** Resolves when every job this process enqueued or started has finished, or after timeoutMs. */
  async drain(timeoutMs?: number): Promise<void> {
    await this.tracker.settled(timeoutMs, this.opts.drainPollMs ?? 50);
  }

  /**
   * Stops taking jobs; running ones get timeoutMs to finish. Jobs still running then
   * are abandoned here (their locks lapse) and, like everything still waiting, are
   * picked up by another worker through BullMQ's stalled-job check.
   */
  close(timeoutMs = 0): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.lanes.entries()].map(([name, lane]) => this.closeLane(name, lane, timeoutMs)));
      // Producers share our own connection, so BullMQ has nothing to wait for; bounded all the same.
      await Promise.all([...this.queues.values()].map((q) => settlesWithin(q.close().catch(() => undefined), CLOSE_STEP_MS)));
      await this.producer.close();
    })();
    return this.closing;
  }

  async status(): Promise<QueueStatus> {
    if (!this.closing && !this.producer.connectedOnce) await this.producer.waitUntilReady(this.enqueueTimeoutMs).catch(() => undefined);
    const up = !this.closing && this.producer.status().state === 'up';
    if (up) {
      try {
        this.lastCounts = await this.counts();
      } catch {
        return { driver: 'bullmq', state: 'down', ...this.lastCounts };
      }
    }
    return { driver: 'bullmq', state: up ? 'up' : 'down', ...this.lastCounts };
  }

  private async add(name: string, payload: unknown, jobId: string, opts: EnqueueOptions): Promise<boolean> {
    if (!this.producer.connectedOnce) await this.producer.waitUntilReady(this.enqueueTimeoutMs);
    else if (this.producer.status().state !== 'up') throw new RedisUnavailableError('redis connection is down');
    const queue = this.queueFor(name);
    const id = bullJobId(jobId);
    const jobKey = queue.toKey(id);
    const admitted = await this.backlog.admit(name, () => queue.getJobCountByTypes('wait', 'prioritized', 'waiting-children', 'delayed', 'active'));
    if (!admitted) {
      // A duplicate is reported as such even when the backlog is full, as in the memory queue.
      if (await this.producer.client.exists(jobKey)) return false;
      throw withoutStack(() => new QueueUnavailableError('full', `queue ${name} is full (${this.opts.maxPending ?? 10_000} jobs pending)`));
    }
    const nonce = randomUUID();
    const reuse = opts.reuseIdWhenFinished === true;
    const attempts = Math.max(1, opts.attempts ?? 1);
    const jobOpts: JobsOptions = {
      jobId: id,
      attempts,
      // Always our strategy when there can be a retry: a RetryLaterError asks for a delay
      // even when the job has no backoff of its own (BullMQ would otherwise retry at once).
      backoff: attempts > 1 ? { type: BACKOFF_TYPE, delay: opts.backoff?.delayMs ?? 0 } : undefined,
      removeOnComplete: reuse ? true : { age: this.opts.rememberFinishedSeconds ?? 3_600, count: this.opts.maxRemembered ?? 10_000 },
      removeOnFail: reuse ? true : { age: this.opts.keepFailedSeconds ?? 86_400, count: this.opts.maxFailedKept ?? 5_000 },
    };
    const envelope: Envelope = { id: jobId, p: payload, n: nonce, b: opts.backoff };
    await queue.add(name, envelope, jobOpts);
    // BullMQ answers a duplicate id with the existing job and no sign of it; ours carries
    // our nonce. Gone already means ours ran and was removed (reuseIdWhenFinished).
    const stored = await this.producer.client.hget(jobKey, 'data');
    const enqueued = stored === null || (JSON.parse(stored) as Envelope).n === nonce;
    if (enqueued) {
      this.backlog.added(name);
      this.tracker.track(queue, id);
    }
    return enqueued;
  }

  private async run(name: string, job: Job): Promise<void> {
    const lane = this.lanes.get(name)!;
    const handler = this.handlers.get(name)!;
    const env = job.data as Envelope;
    this.tracker.track(this.queueFor(name), job.id!);
    lane.running++;
    let failed = false;
    let failure: unknown;
    try {
      await handler(env.p, { jobId: env.id, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 });
    } catch (err) {
      failed = true;
      failure = err;
    } finally {
      lane.running--;
    }
    // Abandoned at shutdown: another worker owns the job once its lock lapses, and a late
    // report from here would make BullMQ reconnect a closed worker just to be refused.
    if (lane.abandoned) return NEVER;
    if (!failed) return;
    if (failure instanceof UnrecoverableJobError) throw new UnrecoverableError(failure.message);
    throw failure instanceof Error ? failure : new Error(errorMessage(failure));
  }

  private onFailed(name: string, job: Job | undefined, err: Error): void {
    // BullMQ reports every failed attempt; only a job moved to `failed` has finishedOn.
    const final = job?.finishedOn !== undefined;
    this.count(name, final ? 'failed' : 'retried');
    const detail = { name, jobId: (job?.data as Envelope | undefined)?.id, attempt: job?.attemptsMade, attempts: job?.opts.attempts, err: err.message };
    if (final) this.logger.warn(detail, err instanceof UnrecoverableError ? 'job failed without retry' : 'job failed after its last attempt');
    else this.logger.debug(detail, 'job will be retried');
  }

  private onWorkerError(name: string, err: Error): void {
    // Connection errors repeat every reconnect attempt; say each distinct one once.
    if (err.message === this.lastWorkerError) return;
    this.lastWorkerError = err.message;
    this.logger.warn({ name, err: err.message }, 'job worker error');
  }

  private async closeLane(name: string, lane: Lane, timeoutMs: number): Promise<void> {
    // pause() stops fetching and resolves once running jobs have finished, their
    // completion recorded in Redis included. BullMQ's close() could not be forced once
    // started, so the graceful part is pause, and close is always the forced kind.
    const finished = await settlesWithin(lane.worker.pause().catch(() => undefined), timeoutMs);
    if (!finished && lane.running > 0) {
      lane.abandoned = true;
      this.logger.warn({ name, running: lane.running, timeoutMs }, 'jobs still running at shutdown; their locks will lapse and another worker takes them over');
    }
    await settlesWithin(lane.worker.close(true).catch(() => undefined), CLOSE_STEP_MS);
  }

  private queueFor(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(bullQueueName(name), { connection: this.producer.client, prefix: this.prefix });
      queue.on('error', (err: Error) => this.logger.debug({ name, err: err.message }, 'job queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async counts(): Promise<Omit<QueueStatus, 'driver' | 'state'>> {
    const all = await Promise.all(
      [...this.queues.values()].map((q) => q.getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed', 'completed')),
    );
    const sum = (pick: (c: Record<string, number>) => number) => all.reduce((n, c) => n + pick(c), 0);
    return {
      waiting: sum((c) => (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0)),
      running: sum((c) => c.active ?? 0),
      delayed: sum((c) => c.delayed ?? 0),
      failed: sum((c) => c.failed ?? 0),
      completed: sum((c) => c.completed ?? 0),
    };
  }

  private count(name: string, outcome: string): void {
    this.outcomes?.inc(name, outcome);
  }
}
