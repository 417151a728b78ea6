import { DependencyUnavailableError } from '../common/dependency-unavailable.error';

export interface BackoffOptions {
  type: 'exponential' | 'fixed';
  /** First delay; doubles per retry for `exponential`. */
  delayMs: number;
  /** Upper bound of any one delay. */
  maxDelayMs?: number;
}

export interface EnqueueOptions {
  /** Total tries including the first (default 1). */
  attempts?: number;
  /** Delay before retry n (1-based): `delayMs * 2^(n-1)` plus up to 25% jitter, capped at maxDelayMs. */
  backoff?: BackoffOptions;
  /**
   * Dedupe key: a job id that is waiting, running or waiting for a retry is not
   * enqueued again; nor, unless `reuseIdWhenFinished`, one that finished recently.
   */
  jobId?: string;
  /**
   * Let the same job id be enqueued again as soon as the job has finished (e.g.
   * "summarise this session": one at a time, but again later). Default false:
   * a finished id keeps refusing duplicates for a while (webhook redeliveries).
   */
  reuseIdWhenFinished?: boolean;
}

export interface JobContext {
  jobId: string;
  /** 1-based attempt number. */
  attempt: number;
  attempts: number;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface ProcessOptions {
  /** Jobs of this name that run at the same time in this process. */
  concurrency?: number;
}

/**
 * Thrown by a handler when the other side said when to come back (Retry-After): the next
 * attempt waits at least `delayMs`, or the normal backoff if that is longer.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown by a handler to stop retrying (the error is final). */
export class UnrecoverableJobError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'UnrecoverableJobError';
  }
}

/**
 * Thrown by enqueue when the job cannot be accepted now: the backlog is full, the
 * queue is closing, or its backend is unreachable. Callers shed the load (a webhook
 * answers 503 so the sender redelivers) instead of acknowledging work they would lose.
 */
export class QueueUnavailableError extends DependencyUnavailableError {
  constructor(
    readonly reason: 'full' | 'closed' | 'unreachable',
    message: string,
  ) {
    super('job_queue', message);
    this.name = 'QueueUnavailableError';
  }
}

export interface QueueStatus {
  driver: string;
  /** `up` accepting and running jobs; `down` unreachable or closed. */
  state: 'up' | 'down';
  /** Waiting to run (including parked until a handler registers). */
  waiting: number;
  running: number;
  /** Waiting for a retry after a failed attempt. */
  delayed: number;
  /** Failed after their last attempt (since start, or retained by the backend). */
  failed: number;
  completed: number;
}

/**
 * JOB_QUEUE port: background work with attempts, backoff and job-id dedupe.
 * Implementations: memory (one process), bullmq (durable, shared by replicas); both
 * pass job-queue.contract.ts.
 */
export interface JobQueue {
  /** Throws QueueUnavailableError when the job cannot be accepted. */
  enqueue<P>(name: string, payload: P, opts?: EnqueueOptions): Promise<{ jobId: string; enqueued: boolean }>;
  /** Registers the handler for a job name (once per name). */
  process<P>(name: string, handler: JobHandler<P>, opts?: ProcessOptions): void;
  /** Resolves when nothing this process started is waiting or running, or after timeoutMs. */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Stops accepting jobs at once; queued and running ones finish within timeoutMs; then
   * resources are released. Idempotent: later calls wait for the same close.
   */
  close(timeoutMs?: number): Promise<void>;
  status(): Promise<QueueStatus>;
}
