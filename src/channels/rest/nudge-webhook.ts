import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OutboundHttp, OutboundNetworkError } from '../../common/outbound-http';
import { hmacSha256Hex } from '../../common/secrets';
import { proactiveConfig, type ConfigOf } from '../../config/config.namespaces';
import type { DeadLetterStore } from '../../queue/dead-letter.port';
import type { JobContext, JobQueue } from '../../queue/job-queue.port';
import { UnrecoverableJobError } from '../../queue/job-queue.port';
import { DEAD_LETTER_STORE, JOB_QUEUE } from '../../queue/queue.constants';
import type { NudgeEventData } from './rest-proactive.sender';

export const NUDGE_WEBHOOK_JOB = 'proactive.webhook';
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface NudgeWebhookJob {
  userId: string;
  productId: string;
  data: NudgeEventData;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: what X-Signature carries, for receivers to recompute. */
export function nudgeWebhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}

/**
 * POSTs each nudge sent on the REST channel to PROACTIVE_WEBHOOK_URL, signed with
 * PROACTIVE_WEBHOOK_SECRET (X-Signature over "<X-Timestamp>.<body>", so a replayed body
 * with an old timestamp can be refused). Retried through JOB_QUEUE; a call that still
 * fails after the last attempt is dead-lettered, never dropped.
 */
@Injectable()
export class NudgeWebhook implements OnModuleInit {
  private readonly logger = new Logger(NudgeWebhook.name);

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(DEAD_LETTER_STORE) private readonly deadLetters: DeadLetterStore,
    @Inject(proactiveConfig.KEY) private readonly cfg: ConfigOf<typeof proactiveConfig>,
    private readonly http: OutboundHttp,
  ) {}

  onModuleInit(): void {
    if (this.cfg.webhookUrl) this.queue.process<NudgeWebhookJob>(NUDGE_WEBHOOK_JOB, (job, ctx) => this.post(job, ctx), { concurrency: 8 });
  }

  async post(job: NudgeWebhookJob, ctx: JobContext): Promise<void> {
    const url = this.cfg.webhookUrl;
    const secret = this.cfg.webhookSecret;
    if (!url || !secret) throw new UnrecoverableJobError('PROACTIVE_WEBHOOK_URL or PROACTIVE_WEBHOOK_SECRET is not set in this process');
    const body = JSON.stringify({ type: 'nudge', userId: job.userId, productId: job.productId, data: job.data });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let failure: string;
    try {
      const res = await this.http.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': nudgeWebhookSignature(secret, timestamp, body), 'user-agent': 'activity-copilot' },
        body,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
      });
      if (res.status >= 200 && res.status < 300) return;
      failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = err instanceof OutboundNetworkError ? err.code : String(err);
    }
    if (ctx.attempt >= ctx.attempts) {
      await this.deadLetters.add({
        id: ctx.jobId,
        name: NUDGE_WEBHOOK_JOB,
        payload: job,
        reason: failure,
        attempts: ctx.attempt,
        failedAt: Date.now(),
        labels: { channel: 'rest', conversationId: job.data.nudgeId },
      });
      this.logger.error({ nudgeId: job.data.nudgeId, attempts: ctx.attempt, reason: failure }, 'nudge webhook failed on its last attempt; dead-lettered');
      return;
    }
    this.logger.warn({ nudgeId: job.data.nudgeId, attempt: ctx.attempt, reason: failure }, 'nudge webhook failed; will retry');
    throw new Error(`nudge webhook failed: ${failure}`);
  }
}
