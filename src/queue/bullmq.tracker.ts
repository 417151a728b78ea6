import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { errorMessage } from '../common/text';
import { sleep } from './bullmq.timing';

/** Follows at most this many jobs (the newest), so a web replica that never drains stays bounded. */
const MAX_TRACKED = 10_000;
/** `unknown`: removed on completion (reuseIdWhenFinished) or trimmed by retention. */
const FINISHED = new Set(['completed', 'failed', 'unknown']);

/**
 * The jobs one process enqueued or started, for drain(): it asks Redis for their state
 * rather than trusting local events, so a job run by another replica counts too, and a
 * local one counts as finished only once BullMQ has recorded it.
 */
export class JobTracker {
  private readonly logger = new Logger(JobTracker.name);
  private readonly jobs = new Map<string, { queue: Queue; id: string }>();

  track(queue: Queue, id: string): void {
    const key = `${queue.name}\u0000${id}`;
    this.jobs.delete(key);
    this.jobs.set(key, { queue, id });
    if (this.jobs.size > MAX_TRACKED) this.jobs.delete(this.jobs.keys().next().value!);
  }

  /** Resolves when every tracked job has finished, or after timeoutMs (checked every pollMs). */
  async settled(timeoutMs: number | undefined, pollMs: number): Promise<void> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      await this.forgetFinished().catch((err: unknown) => this.logger.debug({ err: errorMessage(err) }, 'could not read job states'));
      const left = deadline - Date.now();
      if (this.jobs.size === 0 || left <= 0) return;
      await sleep(Math.min(pollMs, left));
    }
  }

  private async forgetFinished(): Promise<void> {
    const entries = [...this.jobs.entries()];
    const states = await Promise.all(entries.map(([, t]) => t.queue.getJobState(t.id)));
    entries.forEach(([key], i) => {
      if (FINISHED.has(states[i])) this.jobs.delete(key);
    });
  }
}
