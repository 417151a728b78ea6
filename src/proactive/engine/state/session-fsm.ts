import { DEFAULT_PROACTIVE_CONFIG, type ProactiveConfig } from '../config';
import type { DecisionReason, QuickReply } from '../proactive.types';

/**
 * Per-session proactive state. Wall-clock epoch ms everywhere (the reference
 * used a monotonic clock, so its snapshots meant nothing after a restart), plain
 * JSON so it survives restarts and moves between replicas. Every transition is
 * a pure function returning a new state; unchanged input comes back as is.
 *
 *   thinking ──nudge sent──▶ proactive ──answered──▶ reactive (accepted) / thinking (declined)
 *      ▲                        │ no answer within interactionTimeout: ignored
 *      └──── cooldown ◀─────────┘
 *   any ──user writes──▶ reactive ──reactiveTimeout after the last message──▶ thinking (+ cooldown)
 */
export type ProactivePhase = 'thinking' | 'proactive' | 'reactive';

export interface OutstandingNudge {
  decisionId: string;
  ruleId: string;
  /** `${ruleId}@${scope}`: what "the same nudge" means for the no-repeat rule. */
  sentKey: string;
  sentAt: number;
  deliveredAt?: number;
  /** False in shadow mode: nobody can answer a nudge that was never shown. */
  expectsAnswer: boolean;
  quickReplies: QuickReply[];
}

export interface SessionProactiveState {
  v: 1;
  phase: ProactivePhase;
  phaseSince: number;
  lastUserMessageAt?: number;
  /** Epoch ms before which no nudge is sent (0: none). */
  cooldownUntil: number;
  /** Nudges ignored or declined in this session. */
  dismissals: number;
  nudgesSent: number;
  outstanding?: OutstandingNudge;
  /** Rule+scope keys already nudged in this session, oldest first (bounded). */
  sentKeys: string[];
  /** Last send time per rule, for the rule's own cooldown. */
  ruleSentAt: Record<string, number>;
  /** Last logged suppression per rule+scope, so a pulse every 5 s does not flood the decision log. */
  suppressions: Record<string, { reason: DecisionReason; at: number }>;
}

const MAX_SENT_KEYS = 50;
const MAX_SUPPRESSIONS = 50;

type Timing = Pick<
  ProactiveConfig,
  | 'interactionTimeoutSeconds'
  | 'reactiveTimeoutSeconds'
  | 'cooldownSeconds'
  | 'cooldownGrowth'
  | 'maxCooldownSeconds'
  | 'maxDismissalsPerSession'
  | 'maxNudgesPerSession'
>;

export function initialState(now: number): SessionProactiveState {
  return { v: 1, phase: 'thinking', phaseSince: now, cooldownUntil: 0, dismissals: 0, nudgesSent: 0, sentKeys: [], ruleSentAt: {}, suppressions: {} };
}

/** Cooldown after a nudge, growing with every ignored or declined one. */
export function cooldownMs(dismissals: number, cfg: Timing = DEFAULT_PROACTIVE_CONFIG): number {
  const s = cfg.cooldownSeconds * Math.pow(cfg.cooldownGrowth, dismissals);
  return Math.min(s, Math.max(cfg.maxCooldownSeconds, cfg.cooldownSeconds)) * 1000;
}

/**
 * Applies the timeouts that have passed by `now`. Transitions happen at the
 * instant the timeout expired, not when the tick ran, so results do not depend
 * on how often the pulse comes.
 */
export function tick(state: SessionProactiveState, now: number, cfg: Timing = DEFAULT_PROACTIVE_CONFIG): SessionProactiveState {
  if (state.phase === 'proactive' && state.outstanding) {
    const o = state.outstanding;
    const expiresAt = (o.deliveredAt ?? o.sentAt) + cfg.interactionTimeoutSeconds * 1000;
    if (now <= expiresAt) return state;
    const dismissals = o.expectsAnswer ? state.dismissals + 1 : state.dismissals;
    return { ...state, phase: 'thinking', phaseSince: expiresAt, outstanding: undefined, dismissals, cooldownUntil: expiresAt + cooldownMs(dismissals, cfg) };
  }
  if (state.phase === 'reactive') {
    const expiresAt = (state.lastUserMessageAt ?? state.phaseSince) + cfg.reactiveTimeoutSeconds * 1000;
    if (now <= expiresAt) return state;
    return { ...state, phase: 'thinking', phaseSince: expiresAt, cooldownUntil: Math.max(state.cooldownUntil, expiresAt + cfg.cooldownSeconds * 1000) };
  }
  return state;
}

/** Why no nudge may go out in this session right now, if anything stops it. */
export function sessionGate(state: SessionProactiveState, now: number, cfg: Timing = DEFAULT_PROACTIVE_CONFIG): DecisionReason | undefined {
  if (state.dismissals >= cfg.maxDismissalsPerSession || state.nudgesSent >= cfg.maxNudgesPerSession) return 'max_nudges';
  if (state.phase === 'reactive') return 'reactive';
  // A nudge is still open, or the quiet time after one runs.
  if (state.phase === 'proactive' || now < state.cooldownUntil) return 'cooldown';
  return undefined;
}

/** Why this rule may not go out again in this session, if anything stops it. */
export function ruleGate(state: SessionProactiveState, ruleId: string, sentKey: string, cooldownSeconds: number, now: number): DecisionReason | undefined {
  if (state.sentKeys.includes(sentKey)) return 'already_sent';
  const last = state.ruleSentAt[ruleId];
  if (last !== undefined && now - last < cooldownSeconds * 1000) return 'cooldown';
  return undefined;
}

export function sentKeyOf(ruleId: string, scope: string): string {
  return `${ruleId}@${scope}`;
}

export interface NudgeSent {
  decisionId: string;
  ruleId: string;
  sentKey: string;
  expectsAnswer: boolean;
  quickReplies: QuickReply[];
}

export function onNudgeSent(state: SessionProactiveState, now: number, n: NudgeSent): SessionProactiveState {
  return {
    ...state,
    phase: 'proactive',
    phaseSince: now,
    nudgesSent: state.nudgesSent + 1,
    outstanding: { decisionId: n.decisionId, ruleId: n.ruleId, sentKey: n.sentKey, sentAt: now, expectsAnswer: n.expectsAnswer, quickReplies: n.quickReplies },
    sentKeys: [...state.sentKeys.filter((k) => k !== n.sentKey), n.sentKey].slice(-MAX_SENT_KEYS),
    ruleSentAt: { ...state.ruleSentAt, [n.ruleId]: now },
  };
}

/** The nudge reached the user: its answer window starts now (model calls may have taken a while). */
export function onNudgeDelivered(state: SessionProactiveState, decisionId: string, now: number): SessionProactiveState {
  if (state.phase !== 'proactive' || state.outstanding?.decisionId !== decisionId) return state;
  return { ...state, phaseSince: now, outstanding: { ...state.outstanding, deliveredAt: now } };
}

/**
 * The nudge never reached the user (delivery failed, the judge said no): as if
 * it had not been decided, except that the cap slots are the caller's to give back.
 */
export function onNudgeUndone(state: SessionProactiveState, decisionId: string, now: number, previousRuleSentAt?: number): SessionProactiveState {
  const o = state.outstanding;
  if (!o || o.decisionId !== decisionId) return state;
  const ruleSentAt = { ...state.ruleSentAt };
  if (previousRuleSentAt === undefined) delete ruleSentAt[o.ruleId];
  else ruleSentAt[o.ruleId] = previousRuleSentAt;
  return {
    ...state,
    phase: state.phase === 'proactive' ? 'thinking' : state.phase,
    phaseSince: state.phase === 'proactive' ? now : state.phaseSince,
    outstanding: undefined,
    nudgesSent: Math.max(0, state.nudgesSent - 1),
    sentKeys: state.sentKeys.filter((k) => k !== o.sentKey),
    ruleSentAt,
  };
}

/** The user answered the open nudge: accepted → they are talking to the bot; declined → longer quiet time at once. */
export function onNudgeAnswered(
  state: SessionProactiveState,
  now: number,
  declined: boolean,
  cfg: Timing = DEFAULT_PROACTIVE_CONFIG,
): SessionProactiveState {
  if (!declined) return onUserMessage(state, now);
  // A "no" after the answer window closed was already counted as ignored.
  if (!state.outstanding) return state;
  const dismissals = state.dismissals + 1;
  return { ...state, phase: 'thinking', phaseSince: now, outstanding: undefined, dismissals, cooldownUntil: Math.max(state.cooldownUntil, now + cooldownMs(dismissals, cfg)) };
}

/** The user wrote in any channel. An open nudge counts as answered (not ignored). */
export function onUserMessage(state: SessionProactiveState, now: number): SessionProactiveState {
  return { ...state, phase: 'reactive', phaseSince: state.phase === 'reactive' ? state.phaseSince : now, lastUserMessageAt: now, outstanding: undefined };
}

/** Records a suppression as logged; answers whether it should be (new, changed, or not logged for a while). */
export function noteSuppression(
  state: SessionProactiveState,
  key: string,
  reason: DecisionReason,
  now: number,
  relogSeconds: number,
): { state: SessionProactiveState; log: boolean } {
  const prev = state.suppressions[key];
  if (prev && prev.reason === reason && now - prev.at < relogSeconds * 1000) return { state, log: false };
  const entries = Object.entries(state.suppressions).filter(([k]) => k !== key);
  entries.push([key, { reason, at: now }]);
  return { state: { ...state, suppressions: Object.fromEntries(entries.slice(-MAX_SUPPRESSIONS)) }, log: true };
}

/** Parses a stored state; null for anything that is not a version-1 state (it is then started afresh). */
export function parseState(json: string): SessionProactiveState | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<SessionProactiveState>;
  if (s.v !== 1 || !['thinking', 'proactive', 'reactive'].includes(s.phase as string)) return null;
  if (typeof s.phaseSince !== 'number' || typeof s.cooldownUntil !== 'number' || !Array.isArray(s.sentKeys)) return null;
  return {
    ...initialState(s.phaseSince),
    ...s,
    ruleSentAt: s.ruleSentAt ?? {},
    suppressions: s.suppressions ?? {},
  } as SessionProactiveState;
}

export function serialiseState(state: SessionProactiveState): string {
  return JSON.stringify(state);
}
