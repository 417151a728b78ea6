import { Logger } from '@nestjs/common';
import fastq from 'fastq';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '../health/metrics.service';
import { UnrecoverableJobError, type EnqueueOptions, type JobContext, type JobHandler, type JobQueue } from './job-queue.port';

/** Raised by enqueue when the in-process backlog is full, so callers can shed load (e.g. answer 503 and let the sender retry). */
export class QueueFullError extends Error {
  constructor(readonly queueName: string, readonly limit: number) {
    super(`queue ${queueName} is full (${limit} jobs waiting)`);
    this.name = 'QueueFullError';
  }
}

/** Raised by enqueue after close(): the process is shutting down. */
export class QueueClosedError extends Error {
  constructor() {
    super('the job queue is closed');
    this.name = 'QueueClosedError';
  }
}

export interface MemoryJobQueueOptions {
  /** Jobs run at the same time, across all job names. */
  concurrency?: number;
  /** Jobs waiting (queued or waiting for a retry) before enqueue refuses with QueueFullError. */
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
  backoff?: EnqueueOptions['backoff'];
}

/** Share of the computed delay added at random, so retries from many jobs do not land together. */
const JITTER = 0.25;
const DEFAULT_MAX_DELAY_MS = 60_000;

/** Delay before retry `retry` (1-based): exponential or fixed, plus up to 25% jitter, capped. */
export function backoffDelay(backoff: NonNullable<EnqueueOptions['backoff']>, retry: number, random: () => number = Math.random): number {
  const base = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (retry - 1);
  const withJitter = base * (1 + JITTER * random());
  return Math.max(0, Math.round(Math.min(backoff.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, withJitter)));
}

const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * In-process JOB_QUEUE on fastq. Retries wait on a timer without holding a worker
 * slot. A job id that is queued, running, waiting for a retry or finished within
 * `rememberFinishedMs` is not enqueued again; every collection is bounded. Jobs do
 * not survive a restart (that is what QUEUE=bullmq is for).
 */
export class MemoryJobQueue implements JobQueue {
  private readonly logger = new Logger(MemoryJobQueue.name);
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  /** Jobs enqueued before their handler was registered, by name. */
  private readonly parked = new Map<string, Job[]>();
  /** Every job not yet finished: queued, running, parked or waiting for a retry. */
  private readonly active = new Map<string, Job>();
  private readonly finished: LRUCache<string, true>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly worker: fastq.queueAsPromised<Job, void>;
  private readonly outcomes?: Counter<string>;
  private readonly maxPending: number;
  private readonly random: () => number;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: MemoryJobQueueOptions = {}) {
    this.maxPending = opts.maxPending ?? 10_000;
    this.random = opts.random ?? Math.random;
    this.finished = new LRUCache({ max: opts.maxRemembered ?? 50_000, ttl: opts.rememberFinishedMs ?? 3_600_000, ttlAutopurge: false });
    this.worker = fastq.promise(this, this.run, opts.concurrency ?? 32);
    this.outcomes = opts.metrics?.counter({
      name: 'jobs_total',
      help: 'Background jobs by name and outcome (enqueued, deduplicated, rejected, completed, retried, failed)',
      labelNames: ['name', 'outcome'],
    });
    const active = this.active;
    opts.metrics?.gauge({
      name: 'jobs_active',
      help: 'Jobs queued, running or waiting for a retry',
      collect(this: Gauge<string>) {
        this.set(active.size);
      },
    });
  }

  async enqueue<P>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<{ jobId: string; enqueued: boolean }> {
    if (this.closed) throw new QueueClosedError();
    const id = opts.jobId ?? randomUUID();
    if (this.active.has(id) || this.finished.has(id)) {
      this.count(name, 'deduplicated');
      return { jobId: id, enqueued: false };
    }
    if (this.active.size >= this.maxPending) {
      this.count(name, 'rejected');
      throw new QueueFullError(name, this.maxPending);
    }
    const job: Job = { id, name, payload, attempt: 1, attempts: Math.max(1, opts.attempts ?? 1), backoff: opts.backoff };
    this.active.set(id, job);
    this.count(name, 'enqueued');
    this.dispatch(job);
    return { jobId: id, enqueued: true };
  }

  process<P>(name: string, handler: JobHandler<P>): void {
    if (this.handlers.has(name)) throw new Error(`a handler for job ${name} is already registered`);
    this.handlers.set(name, handler as JobHandler<unknown>);
    const waiting = this.parked.get(name) ?? [];
    this.parked.delete(name);
    for (const job of waiting) this.dispatch(job);
  }

  /** Resolves when no job is queued, running or waiting for a retry, or when timeoutMs passes (whichever is first). */
  async drain(timeoutMs?: number): Promise<void> {
    if (this.active.size === 0) return;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          this.logger.warn({ pending: this.active.size, timeoutMs }, 'job queue did not drain in time; unfinished jobs are dropped');
          resolve();
        }, timeoutMs);
      }
    });
  }

  /** Stops accepting jobs and cancels pending retries (after drain, on shutdown). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.worker.kill();
  }

  /** Holds queued jobs (running ones finish); enqueue keeps accepting. Like pausing BullMQ workers. */
  pause(): void {
    this.worker.pause();
  }

  resume(): void {
    this.worker.resume();
  }

  stats(): { active: number; running: number; waiting: number } {
    return { active: this.active.size, running: this.worker.running(), waiting: this.worker.length() };
  }

  private dispatch(job: Job): void {
    if (!this.handlers.has(job.name)) {
      const list = this.parked.get(job.name) ?? [];
      list.push(job);
      this.parked.set(job.name, list);
      return;
    }
    // run() never rejects; the catch only keeps an unexpected bug from becoming an unhandled rejection.
    this.worker.push(job).catch((err: unknown) => this.logger.error({ jobId: job.id, name: job.name, err: errMessage(err) }, 'job runner failed'));
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.name)!;
    const ctx: JobContext = { jobId: job.id, attempt: job.attempt, attempts: job.attempts };
    try {
      await handler(job.payload, ctx);
      this.count(job.name, 'completed');
      this.finish(job);
    } catch (err) {
      const final = err instanceof UnrecoverableJobError || job.attempt >= job.attempts;
      if (final) {
        this.count(job.name, 'failed');
        this.logger.warn(
          { jobId: job.id, name: job.name, attempt: job.attempt, attempts: job.attempts, err: errMessage(err) },
          err instanceof UnrecoverableJobError ? 'job failed without retry' : 'job failed after its last attempt',
        );
        this.finish(job);
        return;
      }
      const delay = job.backoff ? backoffDelay(job.backoff, job.attempt, this.random) : 0;
      this.count(job.name, 'retried');
      this.logger.debug({ jobId: job.id, name: job.name, attempt: job.attempt, delayMs: delay, err: errMessage(err) }, 'job will be retried');
      job.attempt += 1;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dispatch(job);
      }, delay);
      this.timers.add(timer);
    }
  }

  private finish(job: Job): void {
    this.active.delete(job.id);
    this.finished.set(job.id, true);
    if (this.active.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private count(name: string, outcome: string): void {
    this.outcomes?.inc({ name, outcome });
  }
}
