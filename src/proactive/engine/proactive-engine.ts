import { randomUUID } from 'node:crypto';
import { releaseCaps } from './caps';
import { resolveConfig, type ProactiveConfig } from './config';
import { evaluate } from './evaluate';
import type { DecisionReason, PendingNudge, ProactiveDecision, SessionView } from './proactive.types';
import { defaultRules } from './rules/default-rules';
import { classifyNudgeReply, type ReplyClassification } from './rules/quick-replies';
import type { RuleSet } from './rules/rule.types';
import { stateKeys, type ProactiveStatePort } from './state/proactive-state.port';
import {
  initialState,
  onNudgeAnswered,
  onNudgeDelivered,
  onNudgeUndone,
  onUserMessage,
  tick,
  type SessionProactiveState,
} from './state/session-fsm';

export interface ProactiveEngineOptions {
  state: ProactiveStatePort;
  /** Defaults to defaultRules(). */
  rules?: RuleSet;
  /** Wins over the rules file's `settings`, which win over the defaults. */
  config?: Partial<ProactiveConfig>;
  /** Decision ids; replays pass a counter so output is reproducible. */
  newId?: () => string;
  /** Called for every decision written to the log (metrics, logs, replay timelines). */
  onDecision?: (d: ProactiveDecision) => void;
}

export interface SessionScope {
  productId: string;
  sessionId: string;
}

export interface EngineEvaluation {
  /** Every rule that fired in this evaluation, with its outcome. */
  decisions: ProactiveDecision[];
  /** Deliver this, then report with markDelivered / markFailed / markSuppressed. */
  nudge?: PendingNudge;
}

export interface PulseResult {
  evaluated: number;
  /** Sessions idle past the horizon: nothing can newly fire for them. */
  skipped: number;
  nudges: PendingNudge[];
}

export type FailureReason = Extract<DecisionReason, 'no_channel' | 'delivery_error' | 'llm_failed'>;

/**
 * The proactive engine over a state port. Call `evaluate` when new actions are
 * stored and `pulse` every `config.pulseSeconds`; deliver the returned nudge and
 * report back. Calls for one session are serialised inside this process (a batch
 * and a pulse cannot both decide); across replicas the session cap slot
 * (`minIntervalSeconds`) is what keeps a session to one nudge.
 */
export class ProactiveEngine {
  private rules: RuleSet;
  private cfg: ProactiveConfig;
  private horizonMs = 0;
  private readonly overrides?: Partial<ProactiveConfig>;
  private readonly port: ProactiveStatePort;
  private readonly newId: () => string;
  private readonly onDecision?: (d: ProactiveDecision) => void;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(opts: ProactiveEngineOptions) {
    this.port = opts.state;
    this.overrides = opts.config;
    this.newId = opts.newId ?? randomUUID;
    this.onDecision = opts.onDecision;
    this.rules = opts.rules ?? defaultRules();
    this.cfg = resolveConfig(this.rules.settings, this.overrides);
    this.updateHorizon();
  }

  get config(): Readonly<ProactiveConfig> {
    return this.cfg;
  }

  get ruleSet(): RuleSet {
    return this.rules;
  }

  /** Swaps the rules (e.g. after the file changed); session states are kept. */
  replaceRules(rules: RuleSet): void {
    this.rules = rules;
    this.cfg = resolveConfig(rules.settings, this.overrides);
    this.updateHorizon();
  }

  /** False when the session has been idle too long for any rule to newly fire: the pulse may skip it. */
  isPulseCandidate(lastActivityAt: number, now: number): boolean {
    return now - lastActivityAt <= this.horizonMs;
  }

  async evaluate(view: SessionView, now: number): Promise<EngineEvaluation> {
    const key = stateKeys.session(view.productId, view.sessionId);
    return this.serial(key, async () => {
      const state = await this.port.getSessionState(key, now);
      const r = await evaluate(view, state, this.rules, now, { config: this.cfg, caps: this.port, newId: this.newId });
      if (r.nextState && r.nextState !== state) await this.save(key, r.nextState, now);
      for (const d of r.toLog) await this.log(d, now);
      return { decisions: r.decisions, nudge: r.nudge };
    });
  }

  /** Evaluates every candidate session, one after the other, so time-based triggers fire while users are idle. */
  async pulse(views: Iterable<SessionView> | AsyncIterable<SessionView>, now: number): Promise<PulseResult> {
    const out: PulseResult = { evaluated: 0, skipped: 0, nudges: [] };
    for await (const view of views) {
      if (!this.isPulseCandidate(view.lastActivityAt, now)) {
        out.skipped++;
        continue;
      }
      out.evaluated++;
      const r = await this.evaluate(view, now);
      if (r.nudge) out.nudges.push(r.nudge);
    }
    return out;
  }

  /** The user wrote in any channel: no nudges until reactiveTimeoutSeconds after their last message. */
  async onUserMessage(scope: SessionScope, now: number): Promise<void> {
    await this.update(scope, now, (s) => onUserMessage(s, now));
  }

  /** The user answered the open nudge (a quick reply, or a reply the integration classified itself). */
  async onNudgeAnswered(scope: SessionScope, now: number, declined: boolean): Promise<void> {
    await this.update(scope, now, (s) => onNudgeAnswered(s, now, declined, this.cfg));
  }

  /**
   * Convenience for channels: classifies a user's message against the open
   * nudge's quick replies ("No thanks" → declined, "Show me" → accepted, other
   * text → an ordinary message) and applies it.
   */
  async onUserReply(scope: SessionScope, text: string, now: number): Promise<ReplyClassification> {
    let result: ReplyClassification = { kind: 'message' };
    await this.update(scope, now, (s) => {
      if (s.phase !== 'proactive' || !s.outstanding) return onUserMessage(s, now);
      result = classifyNudgeReply(text, s.outstanding.quickReplies);
      return result.kind === 'message' ? onUserMessage(s, now) : onNudgeAnswered(s, now, result.kind === 'declined', this.cfg);
    });
    return result;
  }

  /** The nudge reached the user. `message` is what was actually sent (the model's text in llm mode). */
  async markDelivered(nudge: PendingNudge, now: number, opts: { channel: string; message?: string; llmFailed?: boolean }): Promise<void> {
    const d = nudge.decision;
    await this.update(d, now, (s) => onNudgeDelivered(s, d.id, now));
    await this.log(
      { ...d, at: now, outcome: 'sent', reason: opts.llmFailed ? 'llm_failed' : undefined, channel: opts.channel, message: opts.message ?? d.message },
      now,
    );
  }

  /** The nudge could not be sent: cap slots are given back and the session is as if it had not been decided. */
  async markFailed(nudge: PendingNudge, now: number, reason: FailureReason, opts: { channel?: string } = {}): Promise<void> {
    await this.undo(nudge, now);
    await this.log({ ...nudge.decision, at: now, outcome: 'failed', reason, channel: opts.channel }, now);
  }

  /** The judge said no (or said nothing usable): same undo as a failure, logged as a suppression. */
  async markSuppressed(nudge: PendingNudge, now: number, reason: Extract<DecisionReason, 'judge_rejected'>): Promise<void> {
    await this.undo(nudge, now);
    await this.log({ ...nudge.decision, at: now, outcome: 'suppressed', reason }, now);
  }

  /** The decision log of a user (or of an anonymous session), newest first. */
  async recentDecisions(scope: { productId: string; userId?: string; sessionId: string }, now: number, limit?: number): Promise<ProactiveDecision[]> {
    return this.port.listDecisions(stateKeys.log(scope.productId, scope.userId, scope.sessionId), now, {
      maxAgeSeconds: this.cfg.decisionLogMaxAgeSeconds,
      limit,
    });
  }

  /** The session's current proactive state (after timeouts), for status endpoints and tests. */
  async sessionState(scope: SessionScope, now: number): Promise<SessionProactiveState | null> {
    const s = await this.port.getSessionState(stateKeys.session(scope.productId, scope.sessionId), now);
    return s && tick(s, now, this.cfg);
  }

  private async undo(nudge: PendingNudge, now: number): Promise<void> {
    const d = nudge.decision;
    await releaseCaps(this.port, nudge.slots);
    await this.update(d, now, (s) => onNudgeUndone(s, d.id, now, nudge.previousRuleSentAt));
  }

  private async update(scope: SessionScope, now: number, change: (s: SessionProactiveState) => SessionProactiveState): Promise<void> {
    const key = stateKeys.session(scope.productId, scope.sessionId);
    await this.serial(key, async () => {
      const stored = await this.port.getSessionState(key, now);
      const before = tick(stored ?? initialState(now), now, this.cfg);
      const after = change(before);
      if (after !== stored) await this.save(key, after, now);
    });
  }

  private async save(key: string, state: SessionProactiveState, now: number): Promise<void> {
    await this.port.setSessionState(key, state, this.cfg.stateTtlSeconds, now);
  }

  private async log(d: ProactiveDecision, now: number): Promise<void> {
    await this.port.appendDecision(stateKeys.log(d.productId, d.userId, d.sessionId), d, now, {
      maxEntries: this.cfg.decisionLogMaxEntries,
      maxAgeSeconds: this.cfg.decisionLogMaxAgeSeconds,
    });
    this.onDecision?.(d);
  }

  private updateHorizon(): void {
    const rulesHorizon = Math.max(0, ...this.rules.rules.map((r) => r.horizonSeconds));
    this.horizonMs = Math.min(this.cfg.idleHorizonSeconds, rulesHorizon) * 1000;
  }

  /** Runs `fn` after every earlier call for the same key has finished. */
  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }
}
