import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { copyString, errorMessage } from '../common/text';
import type { ChannelId } from '../config/env.schema';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { MAX_MESSAGE_CHARS } from '../copilot/chat-limits';
import { ConversationIdentityService } from '../copilot/conversation-identity.service';
import type { ConversationStore } from '../copilot/conversation-store.port';
import { CONVERSATION_STORE } from '../copilot/copilot.constants';
import { FALLBACK_REPLY } from '../copilot/copilot.prompt';
import { CopilotService } from '../copilot/copilot.service';
import { replyWithSourceLink } from '../copilot/documentation-lookup';
import { MetricsService } from '../observability/metrics.service';
import type { DeadLetter, DeadLetterStore } from '../queue/dead-letter.port';
import { QueueUnavailableError, UnrecoverableJobError, type JobContext, type JobQueue } from '../queue/job-queue.port';
import { DEAD_LETTER_STORE, JOB_QUEUE } from '../queue/queue.constants';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';
import { CHANNEL_ADAPTERS, type ChannelAdapter, type DeliveryTarget, type OutboundMessage } from './channel-adapter.port';
import { DeliveryAttempt } from './delivery-attempt';
import { DEDUPE_TTL_SECONDS, DELIVERY_POLICY, type DeliveryPolicy } from './delivery-policy';

export const REPLY_JOB = 'channel.reply';
export const DELIVER_JOB = 'channel.deliver';

/** An inbound chat message a channel acknowledged and wants answered in the background. */
export interface InboundMessage {
  channel: ChannelId;
  conversationId: string;
  text: string;
  /** Stable id of this message on the channel (e.g. Crisp's fingerprint): redeliveries carry the same one. */
  messageId: string;
  metadata?: Record<string, unknown>;
}

export interface ReplyJob {
  channel: ChannelId;
  conversationId: string;
  text: string;
  metadata?: Record<string, unknown>;
  /** Epoch ms the message was first queued: the retry window counts from here. */
  queuedAt: number;
  /** An answer already produced (a dead letter being retried): sent as is, the model is not asked again. */
  prepared?: PreparedAnswer;
}

export interface DeliverJob {
  channel: ChannelId;
  target: DeliveryTarget;
  message: OutboundMessage;
  queuedAt: number;
}

/** An answer produced but not yet sent, kept so a retried send never asks the model again. */
export interface PreparedAnswer {
  text: string;
  fallback: boolean;
  typing: boolean;
}

/** Long enough to outlive every retry of one job. */
const PREPARED_TTL_SECONDS = 15 * 60;

export type SubmitOutcome = 'queued' | 'duplicate';

/**
 * The one reply path of every asynchronous channel: claim the message once → enqueue →
 * (worker) typing on → resolve the user → CopilotService.reply → send through the
 * channel's adapter with retries → typing off. The answer is computed once per job and
 * kept until it is sent. Unprompted messages (`deliver`) share the send and retries.
 */
@Injectable()
export class ReplyPipeline implements OnModuleInit {
  private readonly logger = new Logger(ReplyPipeline.name);
  private readonly adapters: Map<ChannelId, ChannelAdapter>;
  private readonly outcomes: Counter<string>;
  private readonly attempt: DeliveryAttempt;

  constructor(
    @Inject(CHANNEL_ADAPTERS) adapters: ChannelAdapter[],
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(DELIVERY_POLICY) private readonly policy: DeliveryPolicy,
    @Inject(DEAD_LETTER_STORE) private readonly deadLetters: DeadLetterStore,
    private readonly copilot: CopilotService,
    private readonly identities: ConversationIdentityService,
    @Inject(storeConfig.KEY) private readonly store: ConfigOf<typeof storeConfig>,
    metrics: MetricsService,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.id, a]));
    this.outcomes = metrics.counter({
      name: 'channel_messages_total',
      help: 'Messages sent through channel adapters, by channel, kind (reply, deliver) and outcome (sent, fallback_sent, retried, failed)',
      labelNames: ['channel', 'kind', 'outcome'],
    });
    this.attempt = new DeliveryAttempt(policy, deadLetters, this.outcomes);
  }

  onModuleInit(): void {
    const concurrency = this.store.replyConcurrency;
    this.queue.process<ReplyJob>(REPLY_JOB, (job, ctx) => this.reply(job, ctx), { concurrency });
    this.queue.process<DeliverJob>(DELIVER_JOB, (job, ctx) => this.deliverNow(job, ctx), { concurrency });
  }

  /** Whether `channel` can send on its own (has an adapter). */
  canSend(channel: ChannelId): boolean {
    return this.adapters.has(channel);
  }

  /**
   * Claims the message (a redelivered one gets 'duplicate') and queues its reply. Throws
   * QueueUnavailableError, with the claim given back, when the reply cannot be queued,
   * so the channel can ask the sender to redeliver.
   */
  async submit(msg: InboundMessage): Promise<SubmitOutcome> {
    const key = `${msg.channel}:${msg.conversationId}:${msg.messageId}`;
    if (!(await this.conversations.claimOnce(key, DEDUPE_TTL_SECONDS))) return 'duplicate';
    const job: ReplyJob = {
      channel: msg.channel,
      conversationId: msg.conversationId,
      text: copyString(msg.text.slice(0, MAX_MESSAGE_CHARS)),
      metadata: msg.metadata,
      queuedAt: Date.now(),
    };
    try {
      await this.queue.enqueue(REPLY_JOB, job, { jobId: key, ...this.retries() });
    } catch (err) {
      // Give the claim back so the sender's redelivery of this message can still get a reply.
      await this.conversations.releaseClaim(key).catch(() => undefined);
      if (err instanceof QueueUnavailableError) this.noteRefused(msg.channel, msg.conversationId, err.message);
      throw err;
    }
    return 'queued';
  }

  /**
   * One warning per second at most while the queue refuses work: under a flood every hook
   * would otherwise write its own line (and the logging would add to the overload).
   */
  private noteRefused(channel: ChannelId, conversationId: string, reason: string): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.refusedLoggedAt < 1_000) return;
    this.logger.warn({ channel, conversationId, reason, refused: this.refusedSinceLog }, 'reply not queued; asking the sender to redeliver');
    this.refusedSinceLog = 0;
    this.refusedLoggedAt = now;
  }

  private refusedSinceLog = 0;
  private refusedLoggedAt = 0;

  /**
   * Sends a message unprompted (e.g. a proactive nudge) through the channel's adapter,
   * queued with the same retries as replies; the same `deliveryId` sends once.
   */
  async deliver(channel: ChannelId, target: DeliveryTarget, message: OutboundMessage, deliveryId: string = randomUUID()): Promise<void> {
    if (!this.adapters.has(channel)) throw new Error(`channel ${channel} cannot send unprompted messages`);
    const text = message.text.trim().slice(0, MAX_MESSAGE_CHARS);
    if (!target.conversationId.trim() || !text) throw new Error('a delivery needs a conversation id and a non-empty text');
    await this.queue.enqueue<DeliverJob>(DELIVER_JOB, { channel, target, message: { text }, queuedAt: Date.now() }, { jobId: `deliver:${channel}:${deliveryId}`, ...this.retries() });
  }

  /** Puts a dead letter back on the queue (its prepared answer, if any, is sent as is). */
  async retryDeadLetter(entry: DeadLetter): Promise<string> {
    const original = entry.id.replace(/^retry:(.*):[0-9a-f-]{36}$/, '$1');
    const jobId = `retry:${original}:${randomUUID()}`;
    const payload = { ...(entry.payload as ReplyJob | DeliverJob), queuedAt: Date.now() };
    await this.queue.enqueue(entry.name, payload, { jobId, ...this.retries() });
    return jobId;
  }

  async reply(job: ReplyJob, ctx: JobContext): Promise<void> {
    const adapter = this.adapter(job.channel);
    const target: DeliveryTarget = { conversationId: job.conversationId };
    const preparedKey = `prepared:${ctx.jobId}`;
    let prepared = job.prepared ?? (await this.kv.get<PreparedAnswer>(preparedKey));
    if (!prepared) {
      prepared = await this.prepare(adapter, target, job, ctx);
      await this.kv.set(preparedKey, prepared, PREPARED_TTL_SECONDS).catch((err: unknown) =>
        this.logger.warn({ channel: job.channel, err: errorMessage(err) }, 'prepared answer not kept; a retried send would ask the model again'),
      );
    }
    const answer = prepared;
    const dead = (reason: string): DeadLetter => ({
      id: ctx.jobId,
      name: REPLY_JOB,
      payload: { ...job, prepared: answer },
      reason,
      attempts: ctx.attempt,
      failedAt: Date.now(),
      labels: { channel: job.channel, conversationId: job.conversationId },
    });
    try {
      await this.attempt.send(adapter, 'reply', target, answer.text, ctx, job.queuedAt ?? Date.now(), dead);
      this.outcomes.inc({ channel: job.channel, kind: 'reply', outcome: answer.fallback ? 'fallback_sent' : 'sent' });
    } catch (err) {
      if (err instanceof UnrecoverableJobError) await this.finish(adapter, target, preparedKey, answer.typing);
      throw err;
    }
    await this.finish(adapter, target, preparedKey, answer.typing);
  }

  async deliverNow(job: DeliverJob, ctx: JobContext): Promise<void> {
    const dead = (reason: string): DeadLetter => ({
      id: ctx.jobId,
      name: DELIVER_JOB,
      payload: job,
      reason,
      attempts: ctx.attempt,
      failedAt: Date.now(),
      labels: { channel: job.channel, conversationId: job.target.conversationId },
    });
    await this.attempt.send(this.adapter(job.channel), 'deliver', job.target, job.message.text, ctx, job.queuedAt ?? Date.now(), dead);
    this.outcomes.inc({ channel: job.channel, kind: 'deliver', outcome: 'sent' });
  }

  private async prepare(adapter: ChannelAdapter, target: DeliveryTarget, job: ReplyJob, ctx: JobContext): Promise<PreparedAnswer> {
    const typing = await this.typing(adapter, target, true);
    try {
      const lookup = adapter.lookupIdentity ? () => adapter.lookupIdentity!(target) : undefined;
      const user = await this.identities.resolve(job.channel, job.conversationId, lookup);
      const res = await this.copilot.reply({
        channel: job.channel,
        conversationId: job.conversationId,
        userId: user.userId,
        // Only a resolved user's email: an unverified one must not let the copilot look the user up by email.
        email: user.userId ? user.email : undefined,
        text: job.text,
        metadata: { ...job.metadata, userSource: user.source },
      });
      // A text-only channel shows no sources list: the most relevant article's link ends the reply.
      return { text: replyWithSourceLink(res), fallback: res.fallback === true, typing };
    } catch (err) {
      // CopilotService already turns LLM failures into the fallback text; this is anything else (e.g. a store outage).
      if (ctx.attempt < ctx.attempts) {
        this.logger.warn({ channel: job.channel, conversationId: job.conversationId, attempt: ctx.attempt, reason: errorMessage(err) }, 'reply could not be prepared; will retry');
        if (typing) await this.typing(adapter, target, false);
        throw err;
      }
      this.logger.error({ channel: job.channel, conversationId: job.conversationId, reason: errorMessage(err) }, 'reply could not be prepared; sending the fallback text');
      return { text: FALLBACK_REPLY, fallback: true, typing };
    }
  }

  private async finish(adapter: ChannelAdapter, target: DeliveryTarget, preparedKey: string, typing: boolean): Promise<void> {
    await this.kv.delete(preparedKey).catch(() => undefined);
    if (typing) await this.typing(adapter, target, false);
  }

  /** True when the indicator call went through. */
  private async typing(adapter: ChannelAdapter, target: DeliveryTarget, on: boolean): Promise<boolean> {
    if (!adapter.typing) return false;
    try {
      await adapter.typing(target, on);
      return true;
    } catch (err) {
      this.logger.debug({ channel: adapter.id, conversationId: target.conversationId, on, reason: errorMessage(err) }, 'typing indicator failed');
      return false;
    }
  }

  private adapter(channel: ChannelId): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new UnrecoverableJobError(`channel ${channel} is not enabled in this process`);
    return adapter;
  }

  private retries() {
    return {
      attempts: this.policy.attempts,
      backoff: { type: 'exponential' as const, delayMs: this.policy.backoffMs, maxDelayMs: this.policy.maxBackoffMs },
    };
  }
}
