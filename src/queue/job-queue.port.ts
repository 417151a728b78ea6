export interface EnqueueOptions {
  /** Total tries including the first (default 1). */
  attempts?: number;
  /** Delay before retry n (1-based) is `delayMs * 2^(n-1)` plus jitter, capped at maxDelayMs. */
  backoff?: { type: 'exponential' | 'fixed'; delayMs: number; maxDelayMs?: number };
  /** Dedupe key: a job id that is queued, running or recently completed is not enqueued again. */
  jobId?: string;
}

export interface JobContext {
  jobId: string;
  /** 1-based attempt number. */
  attempt: number;
  attempts: number;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

/** Thrown by a handler to stop retrying (the error is final). */
export class UnrecoverableJobError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'UnrecoverableJobError';
  }
}

/** JOB_QUEUE port. Implementations: in-process (memory), BullMQ (later). */
export interface JobQueue {
  enqueue<P>(name: string, payload: P, opts?: EnqueueOptions): Promise<{ jobId: string; enqueued: boolean }>;
  process<P>(name: string, handler: JobHandler<P>): void;
  /** Resolves when nothing is queued or running (tests, shutdown). */
  drain(timeoutMs?: number): Promise<void>;
}
