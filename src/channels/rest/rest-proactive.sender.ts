import { Inject, Injectable } from '@nestjs/common';
import { proactiveConfig, type ConfigOf } from '../../config/config.namespaces';
import type { JobQueue } from '../../queue/job-queue.port';
import { JOB_QUEUE } from '../../queue/queue.constants';
import type { UserEventBus } from '../../user-events/user-event-bus.port';
import { USER_EVENT_BUS } from '../../user-events/user-events.constants';
import { DeliveryError } from '../channel-adapter.port';
import type { ProactiveMessage, ProactiveSender, ProactiveTarget } from '../proactive-sender.port';
import { NUDGE_WEBHOOK_JOB, type NudgeWebhookJob } from './nudge-webhook';

/** The `nudge` event on a user's feed (GET /v1/users/:userId/events) and in the webhook body. */
export interface NudgeEventData {
  nudgeId: string;
  ruleId: string;
  message: string;
  quickReplies: string[];
  channel: 'rest';
  /** ISO 8601. */
  at: string;
}

/**
 * Nudges on the REST channel: a `nudge` event on the user's feed, which a widget or the
 * company's backend listens to; and, when PROACTIVE_WEBHOOK_URL is set, a signed POST
 * queued with retries. The user answers with POST /v1/chat and `conversationId` = nudgeId.
 */
@Injectable()
export class RestProactiveSender implements ProactiveSender {
  readonly id = 'rest' as const;

  constructor(
    @Inject(USER_EVENT_BUS) private readonly bus: UserEventBus,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(proactiveConfig.KEY) private readonly cfg: ConfigOf<typeof proactiveConfig>,
  ) {}

  defaultConversation(_userId: string, nudgeId: string): string {
    return nudgeId;
  }

  async send(target: ProactiveTarget, message: ProactiveMessage): Promise<void> {
    const data: NudgeEventData = {
      nudgeId: message.nudgeId,
      ruleId: message.ruleId,
      message: message.text,
      quickReplies: message.quickReplies,
      channel: 'rest',
      at: new Date(message.at).toISOString(),
    };
    if (this.cfg.webhookUrl) {
      const job: NudgeWebhookJob = { userId: target.userId, productId: target.productId, data };
      // Queued first and deduped by the nudge id: a retried send queues it once and never publishes the event twice.
      try {
        await this.queue.enqueue(NUDGE_WEBHOOK_JOB, job, { jobId: `nudge-webhook:${message.nudgeId}`, attempts: 8, backoff: { type: 'exponential', delayMs: 1_000, maxDelayMs: 60_000 } });
      } catch (err) {
        throw new DeliveryError(`nudge webhook not queued: ${(err as Error).message}`, true);
      }
    }
    try {
      await this.bus.publish({ userId: target.userId, productId: target.productId }, 'nudge', data);
    } catch (err) {
      throw new DeliveryError(`user event feed refused the nudge: ${(err as Error).message}`, true);
    }
  }
}
