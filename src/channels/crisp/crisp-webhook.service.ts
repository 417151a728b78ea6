import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Counter } from 'prom-client';
import { crispConfig, type ConfigOf } from '../../config/config.namespaces';
import { CONVERSATION_STORE } from '../../copilot/copilot.constants';
import type { ConversationStore } from '../../copilot/conversation-store.port';
import { MetricsService } from '../../observability/metrics.service';
import { QueueUnavailableError, type JobQueue } from '../../queue/job-queue.port';
import { JOB_QUEUE } from '../../queue/queue.constants';
import { CRISP_DEDUPE_TTL_SECONDS, CRISP_DELIVERY_POLICY, CRISP_REPLY_JOB, type CrispDeliveryPolicy } from './crisp.constants';
import { CrispUserResolver } from './crisp-user-resolver';
import {
  MAX_MESSAGE_CHARS,
  crispMessageSchema,
  crispSetDataSchema,
  crispSetEmailSchema,
  type CrispEnvelope,
} from './crisp-webhook.schema';

/** What a reply job carries; the user is resolved by the worker, off the request path. */
export interface CrispReplyJob {
  sessionId: string;
  text: string;
  fingerprint: string;
}

export type HookOutcome = 'queued' | 'duplicate' | 'ignored' | 'learned' | 'invalid' | 'other_website';

/**
 * Routes authenticated hook events. Only a visitor's text message (`message:send`,
 * from "user") leads to a reply; operator messages (`message:received`), which
 * include our own replies, are ignored, so the bot never answers itself.
 */
@Injectable()
export class CrispWebhookService {
  private readonly logger = new Logger(CrispWebhookService.name);
  private readonly hooks: Counter<string>;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(CRISP_DELIVERY_POLICY) private readonly policy: CrispDeliveryPolicy,
    @Inject(crispConfig.KEY) private readonly cfg: ConfigOf<typeof crispConfig>,
    private readonly users: CrispUserResolver,
    metrics: MetricsService,
  ) {
    this.hooks = metrics.counter({
      name: 'crisp_hooks_total',
      help: 'Authenticated Crisp hooks by event and outcome (queued, duplicate, ignored, learned, invalid, other_website)',
      labelNames: ['event', 'outcome'],
    });
  }

  async handle(envelope: CrispEnvelope): Promise<HookOutcome> {
    const outcome = await this.route(envelope);
    this.hooks.inc({ event: knownEvent(envelope.event), outcome });
    return outcome;
  }

  private async route(envelope: CrispEnvelope): Promise<HookOutcome> {
    const websiteId = envelope.website_id ?? (typeof envelope.data.website_id === 'string' ? envelope.data.website_id : undefined);
    // Plugin hooks arrive for every website that installed the plugin; we answer for ours only.
    if (websiteId !== undefined && websiteId !== this.cfg.websiteId) return 'other_website';

    switch (envelope.event) {
      case 'message:send':
        return this.onVisitorMessage(envelope.data);
      case 'session:set_data': {
        const res = crispSetDataSchema.safeParse(envelope.data);
        if (!res.success) return 'invalid';
        this.users.rememberData(res.data.session_id, res.data.data);
        return 'learned';
      }
      case 'session:set_email': {
        const res = crispSetEmailSchema.safeParse(envelope.data);
        if (!res.success) return 'invalid';
        this.users.rememberEmail(res.data.session_id, res.data.email);
        return 'learned';
      }
      default:
        return 'ignored';
    }
  }

  private async onVisitorMessage(data: Record<string, unknown>): Promise<HookOutcome> {
    const res = crispMessageSchema.safeParse(data);
    if (!res.success) {
      this.logger.warn({ issues: res.error.issues.map((i) => i.path.join('.')) }, 'crisp message:send without the fields we need; ignored');
      return 'invalid';
    }
    const msg = res.data;
    if (msg.from !== 'user' || msg.type !== 'text') return 'ignored';
    if (typeof msg.content !== 'string' || msg.content.trim() === '') return 'ignored';

    const fingerprint = messageFingerprint(msg.fingerprint, msg.timestamp, msg.content);
    const key = `crisp:${msg.session_id}:${fingerprint}`;
    if (!(await this.conversations.claimOnce(key, CRISP_DEDUPE_TTL_SECONDS))) return 'duplicate';

    const job: CrispReplyJob = { sessionId: msg.session_id, text: msg.content.slice(0, MAX_MESSAGE_CHARS), fingerprint };
    try {
      await this.queue.enqueue(CRISP_REPLY_JOB, job, {
        jobId: key,
        attempts: this.policy.attempts,
        backoff: { type: 'exponential', delayMs: this.policy.backoffMs, maxDelayMs: this.policy.maxBackoffMs },
      });
    } catch (err) {
      // Give the claim back so Crisp's redelivery of this hook can still get a reply.
      await this.conversations.releaseClaim(key).catch(() => undefined);
      if (err instanceof QueueUnavailableError) {
        this.logger.warn({ sessionId: msg.session_id, reason: err.message }, 'crisp reply not queued; asking Crisp to redeliver');
        throw new ServiceUnavailableException('Reply queue is unavailable; retry later');
      }
      throw err;
    }
    return 'queued';
  }
}

/** Crisp's message id when present; otherwise a stable stand-in so a redelivery still dedupes. */
function messageFingerprint(fingerprint: number | string | undefined, timestamp: number | undefined, content: unknown): string {
  if (fingerprint !== undefined && String(fingerprint) !== '') return String(fingerprint);
  return `h${createHash('sha256').update(`${timestamp ?? ''}\u0000${String(content)}`).digest('hex').slice(0, 24)}`;
}

/** Bounded label values: event names are attacker-free here (authenticated) but still arbitrary strings. */
function knownEvent(event: string): string {
  return /^(message|session):[a-z_:]{1,40}$/.test(event) ? event : 'other';
}
