import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy, BrokenCircuitError } from 'cockatiel';
import type { Gauge } from 'prom-client';
import { DeliveryError } from '../../channels/channel-adapter.port';
import { PROACTIVE_SENDERS, type ProactiveSender } from '../../channels/proactive-sender.port';
import { errorMessage } from '../../common/text';
import { proactiveConfig, type ConfigOf } from '../../config/config.namespaces';
import type { ChannelId } from '../../config/env.schema';
import { CopilotService } from '../../copilot/copilot.service';
import { LLM_PROVIDER } from '../../llm/llm.constants';
import type { LlmProvider } from '../../llm/llm.port';
import { HealthRegistry } from '../../observability/health.registry';
import { MetricsService } from '../../observability/metrics.service';
import { QueueUnavailableError, type JobContext, type JobQueue } from '../../queue/job-queue.port';
import { JOB_QUEUE } from '../../queue/queue.constants';
import type { KeyValueStore } from '../../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../../state/state.constants';
import { acceptLlmNudge, buildJudgePrompt, buildNudgePrompt, parseJudgeVerdict, type PendingNudge, type ProactiveEngine } from '../engine';
import { NUDGE_JOB, PROACTIVE_DELIVERY_POLICY, PROACTIVE_ENGINE, type ProactiveDeliveryPolicy } from './proactive.constants';
import { ReachDirectory } from './reach-directory';

export interface NudgeJob {
  nudge: PendingNudge;
}

/** What was decided to send, kept so a retried job never asks the model again. */
interface Prepared {
  message: string;
  llmFailed: boolean;
}

const SENT_TTL_SECONDS = 86_400;
/** How long a session whose user no channel could reach is left alone. */
const UNREACHABLE_SECONDS = 300;
const PREPARED_TTL_SECONDS = 15 * 60;
/** The model gets this long to write a nudge or judge one; past it, the template (or silence). */
const NUDGE_LLM_TIMEOUT_MS = 5_000;
const STATE_VALUE: Record<CircuitState, number> = { [CircuitState.Closed]: 0, [CircuitState.HalfOpen]: 1, [CircuitState.Open]: 2, [CircuitState.Isolated]: 2 };

/**
 * Delivers nudges through JOB_QUEUE: the job id is the decision id, so one nudge is
 * queued once whatever the replicas; a `sent` marker stops a retried job from sending
 * again. Per job: the judge and the model when the rule asks, then the first channel in
 * PROACTIVE_CHANNELS that can reach the user and whose breaker is closed. The nudge is
 * recorded as the assistant's turn in that conversation, then reported to the engine.
 */
@Injectable()
export class NudgeDelivery implements OnModuleInit {
  private readonly logger = new Logger(NudgeDelivery.name);
  private readonly senders: Map<ChannelId, ProactiveSender>;
  private readonly breakers = new Map<ChannelId, CircuitBreakerPolicy>();
  private readonly circuit: Gauge<string>;

  constructor(
    @Inject(PROACTIVE_ENGINE) private readonly engine: ProactiveEngine,
    @Inject(PROACTIVE_SENDERS) senders: ProactiveSender[],
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(LLM_PROVIDER) private readonly llm: LlmProvider,
    @Inject(PROACTIVE_DELIVERY_POLICY) private readonly policy: ProactiveDeliveryPolicy,
    @Inject(proactiveConfig.KEY) private readonly cfg: ConfigOf<typeof proactiveConfig>,
    private readonly reach: ReachDirectory,
    private readonly copilot: CopilotService,
    private readonly health: HealthRegistry,
    metrics: MetricsService,
  ) {
    this.senders = new Map(senders.map((s) => [s.id, s]));
    this.circuit = metrics.gauge({ name: 'proactive_channel_circuit_state', help: 'Proactive delivery breaker per channel: 0 closed, 1 half-open, 2 open', labelNames: ['channel'] });
    for (const channel of this.channels()) {
      // Only failures that say "the channel is unwell" count; a refused message (bad request, unknown conversation) does not.
      const breaker = circuitBreaker(
        handleWhen((err) => !(err instanceof DeliveryError) || err.retriable),
        { halfOpenAfter: policy.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(policy.breakerThreshold) },
      );
      breaker.onStateChange((state) => {
        this.circuit.set({ channel }, STATE_VALUE[state]);
        if (state === CircuitState.Open) this.logger.error({ channel }, 'proactive delivery breaker opened');
        else if (state === CircuitState.Closed) this.logger.log({ channel }, 'proactive delivery breaker closed');
      });
      this.circuit.set({ channel }, 0);
      this.breakers.set(channel, breaker);
    }
  }

  onModuleInit(): void {
    this.queue.process<NudgeJob>(NUDGE_JOB, (job, ctx) => this.run(job, ctx), { concurrency: 16 });
    this.health.register('proactive', () => {
      const breakers = Object.fromEntries([...this.breakers].map(([c, b]) => [c, stateName(b.state)]));
      const open = Object.values(breakers).some((s) => s === 'open');
      return { status: open ? 'degraded' : 'up', mode: this.cfg.mode, channels: this.channels(), breakers, rules: this.engine.ruleSet.rules.length };
    });
  }

  /** Queues a nudge the engine decided; a queue that refuses it counts as a failed delivery (the slots are given back). */
  async enqueue(nudge: PendingNudge): Promise<void> {
    try {
      await this.queue.enqueue<NudgeJob>(NUDGE_JOB, { nudge }, {
        jobId: `nudge:${nudge.decision.id}`,
        attempts: this.policy.attempts,
        backoff: { type: 'exponential', delayMs: this.policy.backoffMs, maxDelayMs: this.policy.maxBackoffMs },
      });
    } catch (err) {
      if (!(err instanceof QueueUnavailableError)) throw err;
      await this.engine.markFailed(nudge, Date.now(), 'delivery_error');
    }
  }

  async run(job: NudgeJob, ctx: JobContext): Promise<void> {
    const nudge = job.nudge;
    const d = nudge.decision;
    if (await this.kv.get(sentKey(d.id))) return;
    const prepared = await this.prepare(nudge);
    if (!prepared) return;
    if (!d.userId) return this.unreachable(nudge);

    let reachable = 0;
    let lastError: unknown;
    for (const channel of this.channels()) {
      const sender = this.senders.get(channel)!;
      const conversationId = (await this.reach.lookup(channel, d.userId))?.conversationId ?? sender.defaultConversation?.(d.userId, d.id);
      if (!conversationId) continue;
      reachable++;
      const breaker = this.breakers.get(channel)!;
      try {
        await breaker.execute(() =>
          sender.send({ productId: d.productId, userId: d.userId!, conversationId }, { nudgeId: d.id, ruleId: d.ruleId, text: prepared.message, quickReplies: d.quickReplies.map((q) => q.label), at: d.at }),
        );
      } catch (err) {
        lastError = err;
        // Refused for good on this channel, or its breaker is open: the next channel may still reach the user.
        if (err instanceof BrokenCircuitError || (err instanceof DeliveryError && !err.retriable)) {
          this.logger.warn({ nudgeId: d.id, channel, reason: errorMessage(err) }, 'nudge not sent on this channel; trying the next');
          continue;
        }
        // Possibly delivered (a timeout): retry the same channel later rather than risk a second copy elsewhere.
        if (ctx.attempt < ctx.attempts) throw err;
        return this.engine.markFailed(nudge, Date.now(), 'delivery_error', { channel });
      }
      await this.kv.set(sentKey(d.id), { channel }, SENT_TTL_SECONDS).catch(() => undefined);
      await this.copilot
        .recordAssistantTurn({ channel, userId: d.userId, conversationId }, prepared.message)
        .catch((err: unknown) => this.logger.warn({ nudgeId: d.id, channel, err: errorMessage(err) }, 'nudge sent but not recorded in the conversation'));
      await this.kv.delete(preparedKey(d.id)).catch(() => undefined);
      return this.engine.markDelivered(nudge, Date.now(), { channel, message: prepared.message, llmFailed: prepared.llmFailed });
    }
    if (reachable === 0) return this.unreachable(nudge);
    if (lastError instanceof BrokenCircuitError && ctx.attempt < ctx.attempts) throw lastError;
    return this.engine.markFailed(nudge, Date.now(), 'delivery_error');
  }

  /** True while a session recently had no channel to reach its user: the runner leaves it alone meanwhile. */
  async isUnreachable(productId: string, sessionId: string): Promise<boolean> {
    return (await this.kv.get(unreachableKey(productId, sessionId))) !== undefined;
  }

  /**
   * No channel can reach this user now (anonymous, or never seen on a channel that needs a
   * conversation): logged once, then the session is left alone for a while rather than
   * re-deciding, and re-logging, the same nudge on every pulse.
   */
  private async unreachable(nudge: PendingNudge): Promise<void> {
    const d = nudge.decision;
    await this.kv.set(unreachableKey(d.productId, d.sessionId), true, UNREACHABLE_SECONDS).catch(() => undefined);
    await this.engine.markFailed(nudge, Date.now(), 'no_channel');
  }

  /** The judge and the model, once per nudge; null when the judge said no (already reported). */
  private async prepare(nudge: PendingNudge): Promise<Prepared | null> {
    const d = nudge.decision;
    const kept = await this.kv.get<Prepared>(preparedKey(d.id));
    if (kept) return kept;
    if (nudge.needsJudge) {
      const verdict = parseJudgeVerdict(await this.ask(buildJudgePrompt(d), 'proactive.judge'));
      if (!verdict?.speak) {
        await this.engine.markSuppressed(nudge, Date.now(), 'judge_rejected');
        return null;
      }
    }
    let prepared: Prepared = { message: d.message, llmFailed: false };
    if (d.mode === 'llm') {
      const written = acceptLlmNudge(await this.ask(buildNudgePrompt(d), 'proactive.nudge'));
      prepared = written ? { message: written, llmFailed: false } : { message: d.message, llmFailed: true };
    }
    await this.kv.set(preparedKey(d.id), prepared, PREPARED_TTL_SECONDS).catch(() => undefined);
    return prepared;
  }

  /** The model's text, or '' when it failed: callers treat '' as "no usable answer". */
  private async ask(prompt: { system: string; user: string }, purpose: string): Promise<string> {
    try {
      const res = await this.llm.complete({ system: prompt.system, messages: [{ role: 'user', content: prompt.user }], purpose, timeoutMs: NUDGE_LLM_TIMEOUT_MS, maxTokens: 200 });
      return res.text;
    } catch (err) {
      this.logger.warn({ purpose, err: errorMessage(err) }, 'model unavailable for a nudge');
      return '';
    }
  }

  /** PROACTIVE_CHANNELS order, keeping the channels enabled in this deployment. */
  private channels(): ChannelId[] {
    return this.cfg.channels.filter((c) => this.senders.has(c));
  }
}

const sentKey = (id: string) => `proactive:sent:${id}`;
const unreachableKey = (productId: string, sessionId: string) => `proactive:unreachable:${encodeURIComponent(productId)}:${encodeURIComponent(sessionId)}`;
const preparedKey = (id: string) => `proactive:prepared:${id}`;
const stateName = (s: CircuitState) => (s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half_open' : 'open');
