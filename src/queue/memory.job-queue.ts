import { Logger } from '@nestjs/common';
import fastq from 'fastq';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { exponentialBackoff, nthDelay } from '../common/backoff';
import { errorMessage } from '../common/text';
import { withoutStack } from '../common/without-stack';
import type { LabelledCounter } from '../observability/labelled-counter';
import type { MetricsService } from '../observability/metrics.service';
import {
  QueueUnavailableError,
  RetryLaterError,
  UnrecoverableJobError,
  type BackoffOptions,
  type EnqueueOptions,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type ProcessOptions,
  type QueueStatus,
} from './job-queue.port';

export interface MemoryJobQueueOptions {
  /** Default number of jobs of one name running at the same time (per-name `process` options win). */
  concurrency?: number;
  /** Jobs of one name waiting (queued or waiting for a retry) before enqueue refuses. */
  maxPending?: number;
  /** How long a finished job id keeps refusing duplicates. */
  rememberFinishedMs?: number;
  /** Cap on finished job ids remembered (oldest forgotten first). */
  maxRemembered?: number;
  /** Random source for jitter; injectable so specs are deterministic. */
  random?: () => number;
  metrics?: MetricsService;
}

interface Job {
  id: string;
  name: string;
  payload: unknown;
  attempt: number;
  attempts: number;
  backoff?: BackoffOptions;
  reuseIdWhenFinished: boolean;
}

interface Lane {
  handler: JobHandler<unknown>;
  worker: fastq.queueAsPromised<Job, void>;
}

/** Share of the computed delay added at random, so retries from many jobs do not land together. */
const JITTER = 0.25;
const DEFAULT_MAX_DELAY_MS = 60_000;

/** Delay before retry `retry` (1-based): exponential or fixed, plus up to 25% jitter, capped. */
export function backoffDelay(backoff: BackoffOptions, retry: number, random: () => number = Math.random): number {
  const maxMs = backoff.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (backoff.type === 'fixed') return Math.round(Math.min(maxMs, backoff.delayMs * (1 + JITTER * random())));
  return nthDelay(exponentialBackoff({ initialMs: backoff.delayMs, maxMs, jitterRatio: JITTER, random }), retry);
}

/**
 * In-process JOB_QUEUE on fastq, one worker lane per job name (so a burst of one kind
 * of work cannot starve another). Retries wait on a timer without holding a worker
 * slot. A job id that is queued, running or waiting for a retry is not enqueued again,
 * nor one that finished within `rememberFinishedMs` unless it asked to be reusable.
 * Every collection is bounded. Jobs do not survive a restart (QUEUE=bullmq does that).
 */
export class MemoryJobQueue implements JobQueue {
  private readonly logger = new Logger(MemoryJobQueue.name);
  private readonly lanes = new Map<string, Lane>();
  /** Jobs enqueued before their handler was registered, by name. */
  private readonly parked = new Map<string, Job[]>();
  /** Every job not yet finished: queued, running, parked or waiting for a retry. */
  private readonly active = new Map<string, Job>();
  private readonly pendingByName = new Map<string, number>();
  private readonly finished: LRUCache<string, true>;
  private readonly timers = new Map<NodeJS.Timeout, Job>();
  private readonly outcomes?: LabelledCounter;
  private readonly maxPending: number;
  private readonly random: () => number;
  private idleWaiters: Array<{ idle: () => boolean; done: () => void }> = [];
  private closed = false;
  private closing?: Promise<void>;
  private failedTotal = 0;
  private completedTotal = 0;

  constructor(private readonly opts: MemoryJobQueueOptions = {}) {
    this.maxPending = opts.maxPending ?? 10_000;
    this.random = opts.random ?? Math.random;
    this.finished = new LRUCache({ max: opts.maxRemembered ?? 50_000, ttl: opts.rememberFinishedMs ?? 3_600_000, ttlAutopurge: false });
    this.outcomes = opts.metrics?.labelledCounter({
      name: 'jobs_total',
      help: 'Background jobs by name and outcome (enqueued, deduplicated, rejected, completed, retried, failed)',
      labelNames: ['name', 'outcome'],
    });
  }

  async enqueue<P>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<{ jobId: string; enqueued: boolean }> {
    if (this.closed) throw new QueueUnavailableError('closed', 'the job queue is closed');
    const id = opts.jobId ?? randomUUID();
    if (this.active.has(id) || this.finished.has(id)) {
      this.count(name, 'deduplicated');
      return { jobId: id, enqueued: false };
    }
    if ((this.pendingByName.get(name) ?? 0) >= this.maxPending) {
      this.count(name, 'rejected');
      throw withoutStack(() => new QueueUnavailableError('full', `queue ${name} is full (${this.maxPending} jobs waiting)`));
    }
    const job: Job = {
      id,
      name,
      payload,
      attempt: 1,
      attempts: Math.max(1, opts.attempts ?? 1),
      backoff: opts.backoff,
      reuseIdWhenFinished: opts.reuseIdWhenFinished === true,
    };
    this.active.set(id, job);
    this.pendingByName.set(name, (this.pendingByName.get(name) ?? 0) + 1);
    this.count(name, 'enqueued');
    this.dispatch(job);
    return { jobId: id, enqueued: true };
  }

  process<P>(name: string, handler: JobHandler<P>, opts: ProcessOptions = {}): void {
    if (this.lanes.has(name)) throw new Error(`a handler for job ${name} is already registered`);
    const concurrency = Math.max(1, opts.concurrency ?? this.opts.concurrency ?? 32);
    const worker = fastq.promise<MemoryJobQueue, Job, void>(this, this.run, concurrency);
    this.lanes.set(name, { handler: handler as JobHandler<unknown>, worker });
    const waiting = this.parked.get(name) ?? [];
    this.parked.delete(name);
    for (const job of waiting) this.dispatch(job);
  }

  /** Resolves when no job is queued, running or waiting for a retry, or when timeoutMs passes (whichever is first). */
  async drain(timeoutMs?: number): Promise<void> {
    await this.waitFor(() => this.active.size === 0, timeoutMs);
  }

  /**
   * Stops accepting jobs, lets queued and running work finish within timeoutMs, then
   * cancels pending retries. In-process jobs cannot outlive the process: what is left
   * is logged, by name, so an operator sees what a restart lost.
   */
  close(timeoutMs = 0): Promise<void> {
    // Idempotent: a second caller (the shutdown hook after the signal handler) waits for the same drain.
    this.closing ??= this.shutDown(timeoutMs);
    return this.closing;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    this.closed = true;
    // Jobs waiting for a retry are not waited for: their delay may well outlast the timeout.
    if (timeoutMs > 0) await this.waitFor(() => this.active.size === this.timers.size, timeoutMs);
    for (const [t] of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const lane of this.lanes.values()) lane.worker.kill();
    if (this.active.size > 0) {
      const byName: Record<string, number> = {};
      for (const job of this.active.values()) byName[job.name] = (byName[job.name] ?? 0) + 1;
      this.logger.warn({ unfinished: byName, timeoutMs }, 'job queue closed with unfinished in-process jobs; they are lost');
    }
  }

  /** Holds queued jobs (running ones finish); enqueue keeps accepting. Like pausing BullMQ workers. */
  pause(): void {
    for (const lane of this.lanes.values()) lane.worker.pause();
  }

  resume(): void {
    for (const lane of this.lanes.values()) lane.worker.resume();
  }

  async status(): Promise<QueueStatus> {
    let running = 0;
    let queued = 0;
    for (const lane of this.lanes.values()) {
      running += lane.worker.running();
      queued += lane.worker.length();
    }
    let parked = 0;
    for (const list of this.parked.values()) parked += list.length;
    return {
      driver: 'memory',
      state: this.closed ? 'down' : 'up',
      waiting: queued + parked,
      running,
      delayed: this.timers.size,
      failed: this.failedTotal,
      completed: this.completedTotal,
    };
  }

  private waitFor(idle: () => boolean, timeoutMs?: number): Promise<void> {
    if (idle()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = { idle, done: () => {} };
      waiter.done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
          resolve();
        }, timeoutMs);
      }
    });
  }

  /** Wakes the waiters whose condition now holds. */
  private notifyWaiters(): void {
    if (this.idleWaiters.length === 0) return;
    const ready = this.idleWaiters.filter((w) => w.idle());
    if (ready.length === 0) return;
    this.idleWaiters = this.idleWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.done();
  }

  private dispatch(job: Job): void {
    const lane = this.lanes.get(job.name);
    if (!lane) {
      const list = this.parked.get(job.name) ?? [];
      list.push(job);
      this.parked.set(job.name, list);
      return;
    }
    // run() never rejects; the catch only keeps an unexpected bug from becoming an unhandled rejection.
    lane.worker.push(job).catch((err: unknown) => this.logger.error({ jobId: job.id, name: job.name, err: errorMessage(err) }, 'job runner failed'));
  }

  private async run(job: Job): Promise<void> {
    const handler = this.lanes.get(job.name)!.handler;
    const ctx: JobContext = { jobId: job.id, attempt: job.attempt, attempts: job.attempts };
    try {
      await handler(job.payload, ctx);
      this.count(job.name, 'completed');
      this.completedTotal++;
      this.finish(job);
    } catch (err) {
      const final = err instanceof UnrecoverableJobError || job.attempt >= job.attempts;
      if (final) {
        this.count(job.name, 'failed');
        this.failedTotal++;
        this.logger.warn(
          { jobId: job.id, name: job.name, attempt: job.attempt, attempts: job.attempts, err: errorMessage(err) },
          err instanceof UnrecoverableJobError ? 'job failed without retry' : 'job failed after its last attempt',
        );
        this.finish(job);
        return;
      }
      const backoff = job.backoff ? backoffDelay(job.backoff, job.attempt, this.random) : 0;
      const delay = err instanceof RetryLaterError ? Math.max(backoff, err.delayMs) : backoff;
      this.count(job.name, 'retried');
      this.logger.debug({ jobId: job.id, name: job.name, attempt: job.attempt, delayMs: delay, err: errorMessage(err) }, 'job will be retried');
      job.attempt += 1;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dispatch(job);
      }, delay);
      this.timers.set(timer, job);
      this.notifyWaiters();
    }
  }

  private finish(job: Job): void {
    this.active.delete(job.id);
    this.pendingByName.set(job.name, Math.max(0, (this.pendingByName.get(job.name) ?? 1) - 1));
    if (!job.reuseIdWhenFinished) this.finished.set(job.id, true);
    this.notifyWaiters();
  }

  private count(name: string, outcome: string): void {
    this.outcomes?.inc(name, outcome);
  }
}
