import { BadRequestException, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JobQueue } from '../../queue/job-queue.port';
import { JOB_QUEUE } from '../../queue/queue.constants';
import type { Channel, DeliveryTarget, OutboundMessage } from '../channel.port';
import { ChannelRegistry } from '../channel.registry';
import { CRISP_DELIVER_JOB, CRISP_DELIVERY_POLICY, type CrispDeliveryPolicy } from './crisp.constants';
import type { CrispDeliverJob } from './crisp-reply.worker';
import { MAX_MESSAGE_CHARS } from './crisp-webhook.schema';

/**
 * Crisp can speak first: deliver() posts an operator message to a known session
 * (`target.conversationId` = Crisp session id). The message goes through JOB_QUEUE
 * with the same retries as replies; `target.metadata.deliveryId`, when given, makes
 * repeated calls for one decision send once.
 */
@Injectable()
export class CrispChannel implements Channel, OnModuleInit {
  readonly id = 'crisp' as const;
  readonly canDeliver = true;

  constructor(
    private readonly registry: ChannelRegistry,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CRISP_DELIVERY_POLICY) private readonly policy: CrispDeliveryPolicy,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const sessionId = target.conversationId?.trim();
    const text = message.text?.trim();
    if (!sessionId) throw new BadRequestException('conversationId (the Crisp session id) is required');
    if (!text) throw new BadRequestException('text must not be empty');
    const deliveryId = typeof target.metadata?.deliveryId === 'string' ? target.metadata.deliveryId : randomUUID();
    const job: CrispDeliverJob = { sessionId, text: text.slice(0, MAX_MESSAGE_CHARS) };
    await this.queue.enqueue(CRISP_DELIVER_JOB, job, {
      jobId: `crisp-deliver:${sessionId}:${deliveryId}`,
      attempts: this.policy.attempts,
      backoff: { type: 'exponential', delayMs: this.policy.backoffMs, maxDelayMs: this.policy.maxBackoffMs },
    });
  }
}
