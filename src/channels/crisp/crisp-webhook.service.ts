import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { withoutStack } from '../../common/without-stack';
import { crispConfig, type ConfigOf } from '../../config/config.namespaces';
import { ConversationIdentityService } from '../../copilot/conversation-identity.service';
import type { LabelledCounter } from '../../observability/labelled-counter';
import { MetricsService } from '../../observability/metrics.service';
import { QueueUnavailableError } from '../../queue/job-queue.port';
import { ReplyPipeline } from '../reply-pipeline.service';
import { NUDGE_PICKER_PREFIX } from './crisp.constants';
import { crispMessageSchema, crispPickerUpdateSchema, crispSetDataSchema, crispSetEmailSchema, crispVerifySchema, type CrispEnvelope } from './crisp-webhook.schema';

export type HookOutcome = 'queued' | 'duplicate' | 'ignored' | 'learned' | 'invalid' | 'other_website';

/**
 * Routes authenticated hook events. Only a visitor's text message (`message:send`,
 * from "user") leads to a reply; operator messages (`message:received`), which
 * include our own replies, are ignored, so the bot never answers itself. Session
 * data and email teach the copilot who the visitor is.
 */
@Injectable()
export class CrispWebhookService {
  private readonly logger = new Logger(CrispWebhookService.name);
  private readonly hooks: LabelledCounter;

  constructor(
    private readonly pipeline: ReplyPipeline,
    private readonly identities: ConversationIdentityService,
    @Inject(crispConfig.KEY) private readonly cfg: ConfigOf<typeof crispConfig>,
    metrics: MetricsService,
  ) {
    this.hooks = metrics.labelledCounter({
      name: 'crisp_hooks_total',
      help: 'Authenticated Crisp hooks by event and outcome (queued, duplicate, ignored, learned, invalid, other_website)',
      labelNames: ['event', 'outcome'],
    });
  }

  async handle(envelope: CrispEnvelope): Promise<HookOutcome> {
    const outcome = await this.route(envelope);
    this.hooks.inc(knownEvent(envelope.event), outcome);
    return outcome;
  }

  private async route(envelope: CrispEnvelope): Promise<HookOutcome> {
    const websiteId = envelope.website_id ?? (typeof envelope.data.website_id === 'string' ? envelope.data.website_id : undefined);
    // Plugin hooks arrive for every website that installed the plugin; we answer for ours only.
    if (websiteId !== undefined && websiteId !== this.cfg.websiteId) return 'other_website';

    switch (envelope.event) {
      case 'message:send':
        return this.onVisitorMessage(envelope.data);
      case 'message:updated':
        return this.onMessageUpdated(envelope.data);
      case 'session:set_data': {
        const res = crispSetDataSchema.safeParse(envelope.data);
        if (!res.success) return 'invalid';
        const data = res.data.data;
        await this.identities.remember('crisp', res.data.session_id, {
          userId: data.user_id as string | undefined,
          userToken: data.user_token as string | undefined,
          email: data.email as string | undefined,
        });
        return 'learned';
      }
      case 'session:set_email': {
        const res = crispSetEmailSchema.safeParse(envelope.data);
        if (!res.success) return 'invalid';
        await this.identities.remember('crisp', res.data.session_id, { email: res.data.email });
        return 'learned';
      }
      case 'session:update_verify': {
        // Crisp identity verification: the session's email was (or is no longer) proven by the website's backend.
        const res = crispVerifySchema.safeParse(envelope.data);
        if (!res.success) return 'invalid';
        await this.identities.remember('crisp', res.data.session_id, { emailVerified: res.data.is_verified });
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
    return this.submit(msg.session_id, msg.content, messageFingerprint(msg.fingerprint, msg.timestamp, msg.content));
  }

  /**
   * A message edited in place. On a picker one of our nudges sent, a selected choice is the
   * visitor's answer: it is their message, as a widget's quick-reply click is (the copilot
   * answers it, and "No thanks" declines the nudge). Text edits and other pickers are ignored.
   */
  private async onMessageUpdated(data: Record<string, unknown>): Promise<HookOutcome> {
    const content = data.content as { id?: unknown } | undefined;
    if (!content || typeof content !== 'object' || typeof content.id !== 'string' || !content.id.startsWith(NUDGE_PICKER_PREFIX)) return 'ignored';
    const res = crispPickerUpdateSchema.safeParse(data);
    if (!res.success) {
      this.logger.warn({ issues: res.error.issues.map((i) => i.path.join('.')) }, 'crisp message:updated on a nudge picker without the fields we need; ignored');
      return 'invalid';
    }
    const chosen = res.data.content.choices.filter((c) => c.selected === true);
    if (chosen.length !== 1 || chosen[0].label.trim() === '') return 'ignored';
    // One answer per choice of a picker: redeliveries dedupe; choosing another choice later is a new answer.
    return this.submit(res.data.session_id, chosen[0].label, `picker:${res.data.content.id}:${chosen[0].value}`);
  }

  private async submit(sessionId: string, text: string, fingerprint: string): Promise<HookOutcome> {
    try {
      return await this.pipeline.submit({ channel: 'crisp', conversationId: sessionId, text, messageId: fingerprint, metadata: { fingerprint } });
    } catch (err) {
      // An answer (503, Crisp redelivers), not a fault: no stack to capture for each refused hook of a flood.
      if (err instanceof QueueUnavailableError) throw withoutStack(() => new ServiceUnavailableException('Reply queue is unavailable; retry later'));
      throw err;
    }
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
