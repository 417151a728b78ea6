/**
 * Work that was acknowledged (a webhook answered 200) but could not be completed after
 * every retry. It is kept, visibly, instead of being dropped: /healthz counts it, the
 * admin API lists it and can retry it. Implementations: memory (bounded), redis.
 */
export interface DeadLetter {
  id: string;
  /** The job name it failed as (e.g. channel.reply). */
  name: string;
  /** What is needed to try again (the job payload, with anything already prepared). */
  payload: unknown;
  reason: string;
  attempts: number;
  /** Epoch ms. */
  failedAt: number;
  /** Free-form labels for listing (channel, conversation). */
  labels?: Record<string, string>;
}

export interface DeadLetterStore {
  add(entry: DeadLetter): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<DeadLetter[]>;
  /** Removes and returns one entry (to retry it). */
  take(id: string): Promise<DeadLetter | undefined>;
  /** Entries held, and entries dropped because the store was full (oldest go first). */
  stats(): Promise<{ count: number; dropped: number }>;
  close(): Promise<void>;
}
