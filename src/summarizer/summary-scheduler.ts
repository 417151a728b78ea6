import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { StoredActionsFeed, type ActionsStored } from '../activity/stored-actions.feed';
import { errorMessage } from '../common/text';
import { summarizerConfig, type ConfigOf } from '../config/config.namespaces';
import type { JobQueue } from '../queue/job-queue.port';
import { JOB_QUEUE } from '../queue/queue.constants';
import { SUMMARY_ATTEMPTS, SUMMARY_JOB, summaryJobId, type SummaryJob } from './summarizer.constants';

/**
 * Downstream of the session store: once a session holds SUMMARY_THRESHOLD actions after
 * its latest summary (and again per threshold's worth of actions until one lands), asks
 * JOB_QUEUE for a summary job. The job id is per session, so a session never has two at
 * once; attempts and backoff belong to the queue.
 */
@Injectable()
export class SummaryScheduler implements OnModuleInit {
  private readonly logger = new Logger(SummaryScheduler.name);

  constructor(
    private readonly stored: StoredActionsFeed,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(summarizerConfig.KEY) private readonly cfg: ConfigOf<typeof summarizerConfig>,
  ) {}

  onModuleInit(): void {
    this.stored.subscribe('summarizer', (event) => this.onStored(event));
  }

  /**
   * Runs on every stored event; asks for a summary when this append took the session to the
   * threshold (raw actions since its latest summary), and after that once per threshold's
   * worth of further actions (by sequence number, so also when MAX_ACTIONS holds the count
   * still) until a summary lands. Not on every append: while a summary waits for its turn
   * (SUMMARY_CONCURRENCY, SUMMARY_BUDGET_PER_MINUTE) each further event would only be refused
   * as its duplicate, a BullMQ add per ingested event on Redis. Arrivals during a running
   * summary are the worker's to catch (it runs again when they are enough). Otherwise it
   * returns at once, with no promise.
   */
  onStored(event: ActionsStored): Promise<void> | undefined {
    const threshold = this.cfg.threshold;
    if (event.unsummarised < threshold) return undefined;
    const reached = event.unsummarised - event.appended < threshold;
    const again = Math.floor((event.lastSeq - event.appended) / threshold) !== Math.floor(event.lastSeq / threshold);
    return reached || again ? this.schedule(event) : undefined;
  }

  private async schedule(event: ActionsStored): Promise<void> {
    const job: SummaryJob = { productId: event.scope.productId, sessionId: event.scope.sessionId };
    try {
      await this.queue.enqueue(SUMMARY_JOB, job, {
        jobId: summaryJobId(job),
        reuseIdWhenFinished: true,
        attempts: SUMMARY_ATTEMPTS,
        backoff: { type: 'exponential', delayMs: this.cfg.retryBaseMs, maxDelayMs: this.cfg.retryMaxMs },
      });
    } catch (err) {
      // Raw actions stay in the store; the scheduler asks again within a threshold's worth of actions.
      this.logger.warn({ productId: job.productId, sessionId: job.sessionId, reason: errorMessage(err) }, 'summary not scheduled');
    }
  }
}
