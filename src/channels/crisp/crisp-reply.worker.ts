import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Counter } from 'prom-client';
import { FALLBACK_REPLY } from '../../copilot/copilot.prompt';
import { CopilotService } from '../../copilot/copilot.service';
import { MetricsService } from '../../observability/metrics.service';
import { UnrecoverableJobError, type JobContext, type JobQueue } from '../../queue/job-queue.port';
import { JOB_QUEUE } from '../../queue/queue.constants';
import { CRISP_DELIVER_JOB, CRISP_REPLY_JOB } from './crisp.constants';
import { CrispApiClient, CrispApiError } from './crisp-api.client';
import { CrispUserResolver } from './crisp-user-resolver';
import type { CrispReplyJob } from './crisp-webhook.service';

/** A proactive or otherwise unprompted operator message (Channel.deliver). */
export interface CrispDeliverJob {
  sessionId: string;
  text: string;
}

interface Prepared {
  text: string;
  fallback: boolean;
  typing: boolean;
}

const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Reply job: typing on → CopilotService.reply → post the operator message → typing off.
 * The answer is produced once per job and kept until it is sent, so a retried send
 * never asks the model again nor records the exchange twice. Only the send decides
 * the job's fate: typing indicators are best effort.
 */
@Injectable()
export class CrispReplyWorker implements OnModuleInit {
  private readonly logger = new Logger(CrispReplyWorker.name);
  /** Answers produced but not yet delivered, by job id (bounded: a job lives about a minute). */
  private readonly prepared = new LRUCache<string, Prepared>({ max: 10_000, ttl: 15 * 60_000 });
  private readonly outcomes: Counter<string>;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly crisp: CrispApiClient,
    private readonly copilot: CopilotService,
    private readonly users: CrispUserResolver,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter({
      name: 'crisp_messages_total',
      help: 'Operator messages posted to Crisp by kind (reply, deliver) and outcome (sent, fallback_sent, retried, failed)',
      labelNames: ['kind', 'outcome'],
    });
  }

  onModuleInit(): void {
    this.queue.process<CrispReplyJob>(CRISP_REPLY_JOB, (job, ctx) => this.reply(job, ctx));
    this.queue.process<CrispDeliverJob>(CRISP_DELIVER_JOB, (job, ctx) => this.deliver(job, ctx));
  }

  async reply(job: CrispReplyJob, ctx: JobContext): Promise<void> {
    let prepared = this.prepared.get(ctx.jobId);
    if (!prepared) {
      prepared = await this.prepare(job, ctx);
      this.prepared.set(ctx.jobId, prepared);
    }
    try {
      await this.send('reply', job.sessionId, prepared.text, ctx);
      this.outcomes.inc({ kind: 'reply', outcome: prepared.fallback ? 'fallback_sent' : 'sent' });
    } catch (err) {
      if (!(err instanceof UnrecoverableJobError) && ctx.attempt < ctx.attempts) throw err;
      this.prepared.delete(ctx.jobId);
      if (prepared.typing) await this.typing(job.sessionId, 'stop');
      throw err;
    }
    this.prepared.delete(ctx.jobId);
    if (prepared.typing) await this.typing(job.sessionId, 'stop');
  }

  async deliver(job: CrispDeliverJob, ctx: JobContext): Promise<void> {
    await this.send('deliver', job.sessionId, job.text, ctx);
    this.outcomes.inc({ kind: 'deliver', outcome: 'sent' });
  }

  private async prepare(job: CrispReplyJob, ctx: JobContext): Promise<Prepared> {
    const typing = await this.typing(job.sessionId, 'start');
    const user = await this.users.resolve(job.sessionId);
    try {
      const res = await this.copilot.reply({
        channel: 'crisp',
        conversationId: job.sessionId,
        userId: user.userId,
        email: user.email,
        text: job.text,
        metadata: { fingerprint: job.fingerprint, userSource: user.source },
      });
      return { text: res.reply, fallback: res.fallback === true, typing };
    } catch (err) {
      // CopilotService already turns LLM failures into the fallback text; this is anything else (e.g. a store outage).
      if (ctx.attempt < ctx.attempts) {
        this.logger.warn({ sessionId: job.sessionId, attempt: ctx.attempt, reason: errMessage(err) }, 'crisp reply could not be prepared; will retry');
        if (typing) await this.typing(job.sessionId, 'stop');
        throw err;
      }
      this.logger.error({ sessionId: job.sessionId, reason: errMessage(err) }, 'crisp reply could not be prepared; sending the fallback text');
      return { text: FALLBACK_REPLY, fallback: true, typing };
    }
  }

  /** Posts the message; retriable failures rethrow for the queue, others end the job. */
  private async send(kind: 'reply' | 'deliver', sessionId: string, text: string, ctx: JobContext): Promise<void> {
    try {
      await this.crisp.sendTextMessage(sessionId, text);
    } catch (err) {
      const retriable = err instanceof CrispApiError ? err.retriable : true;
      const last = !retriable || ctx.attempt >= ctx.attempts;
      const status = err instanceof CrispApiError ? err.status : undefined;
      if (last) {
        this.outcomes.inc({ kind, outcome: 'failed' });
        this.logger.error({ sessionId, kind, status, attempt: ctx.attempt, reason: errMessage(err) }, 'crisp message could not be sent');
        throw retriable ? err : new UnrecoverableJobError(errMessage(err), err);
      }
      this.outcomes.inc({ kind, outcome: 'retried' });
      this.logger.warn({ sessionId, kind, status, attempt: ctx.attempt, reason: errMessage(err) }, 'crisp message not sent yet; will retry');
      throw err;
    }
  }

  /** True when the indicator call went through. */
  private async typing(sessionId: string, type: 'start' | 'stop'): Promise<boolean> {
    try {
      await this.crisp.compose(sessionId, type);
      return true;
    } catch (err) {
      this.logger.debug({ sessionId, type, reason: errMessage(err) }, 'crisp typing indicator failed');
      return false;
    }
  }
}
