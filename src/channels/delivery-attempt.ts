import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { errorMessage } from '../common/text';
import type { DeadLetter, DeadLetterStore } from '../queue/dead-letter.port';
import { RetryLaterError, UnrecoverableJobError, type JobContext } from '../queue/job-queue.port';
import { DeliveryError, type ChannelAdapter, type DeliveryTarget } from './channel-adapter.port';
import type { DeliveryPolicy } from './delivery-policy';

export type DeliveryKind = 'reply' | 'deliver';

/** What a failed send comes to: try again (after a delay the other side asked for), or give up. */
export type FailureVerdict = { final: false; retryAfterMs?: number } | { final: true; why: string };

/**
 * One send through an adapter and what to do when it fails: retriable failures
 * (DeliveryError.retriable: rate limits, 5xx, network) are retried, honouring
 * Retry-After, until the channel's retry window since the message was first queued has
 * passed; anything else (a 4xx, a local error such as a malformed id) is final at once.
 * Final failures are dead-lettered, so acknowledged work is never silently dropped.
 */
export class DeliveryAttempt {
  private readonly logger = new Logger('ReplyPipeline');

  constructor(
    private readonly policy: DeliveryPolicy,
    private readonly deadLetters: DeadLetterStore,
    private readonly outcomes: Counter<string>,
  ) {}

  verdict(adapter: ChannelAdapter, err: unknown, ctx: JobContext, queuedAt: number, now = Date.now()): FailureVerdict {
    const retriable = err instanceof DeliveryError && err.retriable;
    if (!retriable) return { final: true, why: 'not retriable' };
    const window = adapter.retryWindowMs ?? this.policy.retryWindowMs;
    const retryAfterMs = err instanceof DeliveryError ? err.retryAfterMs : undefined;
    if (now + (retryAfterMs ?? 0) - queuedAt >= window) return { final: true, why: `still failing after the ${Math.round(window / 1000)} s retry window` };
    if (ctx.attempt >= ctx.attempts) return { final: true, why: `still failing after ${ctx.attempts} attempts` };
    return { final: false, retryAfterMs };
  }

  /** Sends; on failure throws what the queue should do next (retry later, or stop after dead-lettering). */
  async send(
    adapter: ChannelAdapter,
    kind: DeliveryKind,
    target: DeliveryTarget,
    text: string,
    ctx: JobContext,
    queuedAt: number,
    deadLetter: (reason: string) => DeadLetter,
  ): Promise<void> {
    try {
      await adapter.send(target, { text });
    } catch (err) {
      const verdict = this.verdict(adapter, err, ctx, queuedAt);
      const status = err instanceof DeliveryError ? err.status : undefined;
      const log = { channel: adapter.id, conversationId: target.conversationId, kind, status, attempt: ctx.attempt, reason: errorMessage(err) };
      if (verdict.final) {
        this.outcomes.inc({ channel: adapter.id, kind, outcome: 'failed' });
        const entry = deadLetter(`${errorMessage(err)} (${verdict.why})`);
        await this.deadLetters.add(entry).catch((e: unknown) => this.logger.error({ ...log, err: errorMessage(e) }, 'could not store the dead letter'));
        this.logger.error({ ...log, deadLetter: entry.id, why: verdict.why }, 'message could not be sent; dead-lettered');
        throw new UnrecoverableJobError(errorMessage(err), err);
      }
      this.outcomes.inc({ channel: adapter.id, kind, outcome: 'retried' });
      this.logger.warn({ ...log, retryAfterMs: verdict.retryAfterMs }, 'message not sent yet; will retry');
      if (verdict.retryAfterMs !== undefined) throw new RetryLaterError(errorMessage(err), verdict.retryAfterMs, err);
      throw err;
    }
  }
}
