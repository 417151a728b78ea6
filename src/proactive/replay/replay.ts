import { MemorySessionStore } from '../../activity/session-store/memory.session-store';
import type { SessionScope } from '../../activity/session-store/session-store.port';
import type { ProactiveConfig } from '../engine/config';
import { ProactiveEngine } from '../engine/proactive-engine';
import type { PendingNudge, ProactiveDecision, SessionView } from '../engine/proactive.types';
import type { ReplyClassification } from '../engine/rules/quick-replies';
import type { RuleSet } from '../engine/rules/rule.types';
import { buildSessionView } from '../engine/session-view';
import { MemoryProactiveState } from '../engine/state/memory.proactive-state';
import type { RecordedEvent } from './recording';

export interface ReplayOptions {
  rules: RuleSet;
  /** Virtual seconds the pulse keeps running after the last event. */
  tailSeconds?: number;
  config?: Partial<ProactiveConfig>;
}

export type TimelineEntry =
  | { kind: 'decision'; at: number; decision: ProactiveDecision }
  | { kind: 'reply'; at: number; sessionId: string; text: string; classification: ReplyClassification['kind'] };

export interface ReplayResult {
  startAt: number;
  endAt: number;
  events: number;
  sessions: number;
  tailSeconds: number;
  entries: TimelineEntry[];
  config: ProactiveConfig;
}

/** Same defaults as the service's session store (LOOKBACK_SECONDS, MAX_ACTIONS …). */
const STORE_DEFAULTS = { lookbackSeconds: 300, maxActions: 30, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400 };

export const DEFAULT_TAIL_SECONDS = 60;

/**
 * Feeds a recording through the real session store and engine on a virtual
 * clock: between events the pulse runs every `pulseSeconds` of virtual time,
 * and for `tailSeconds` after the last one. Delivery always succeeds (channel
 * `replay`); judged rules are taken as approved and llm rules send their
 * template, since a replay calls no model.
 */
export async function replay(events: readonly RecordedEvent[], opts: ReplayOptions): Promise<ReplayResult> {
  const entries: TimelineEntry[] = [];
  let clock = events[0]?.at ?? 0;
  const store = new MemorySessionStore({ ...STORE_DEFAULTS, now: () => clock });
  let ids = 0;
  const engine = new ProactiveEngine({
    state: new MemoryProactiveState(),
    rules: opts.rules,
    config: opts.config,
    newId: () => `d${++ids}`,
    onDecision: (decision) => entries.push({ kind: 'decision', at: decision.at, decision }),
  });
  const cfg = engine.config;
  const pulseMs = cfg.pulseSeconds * 1000;
  const sessions = new Map<string, SessionScope>();

  const deliver = async (nudge: PendingNudge | undefined) => {
    if (nudge) await engine.markDelivered(nudge, clock, { channel: 'replay' });
  };
  const viewOf = async (scope: SessionScope): Promise<SessionView | null> => {
    const ctx = await store.getSessionContext(scope);
    return ctx && buildSessionView(ctx, clock);
  };
  const pulse = async () => {
    const views: SessionView[] = [];
    for (const scope of sessions.values()) {
      const v = await viewOf(scope);
      if (v) views.push(v);
    }
    const r = await engine.pulse(views, clock);
    for (const n of r.nudges) await deliver(n);
  };

  const startAt = clock;
  let nextPulse = startAt + pulseMs;
  const runPulsesUntil = async (t: number) => {
    while (nextPulse <= t) {
      clock = nextPulse;
      await pulse();
      nextPulse += pulseMs;
    }
  };

  for (const ev of events) {
    await runPulsesUntil(ev.at);
    clock = ev.at;
    if (ev.kind === 'actions') {
      const stored = await store.appendActions(ev.event);
      if (!stored.stored) continue;
      sessions.set(`${stored.scope.productId}\u0000${stored.scope.sessionId}`, stored.scope);
      const view = await viewOf(stored.scope);
      if (view) await deliver((await engine.evaluate(view, clock)).nudge);
    } else {
      const r = await engine.onUserReply({ productId: ev.productId, sessionId: ev.sessionId }, ev.text, clock);
      entries.push({ kind: 'reply', at: clock, sessionId: ev.sessionId, text: ev.text, classification: r.kind });
    }
  }
  const tailSeconds = opts.tailSeconds ?? DEFAULT_TAIL_SECONDS;
  const endAt = clock + tailSeconds * 1000;
  await runPulsesUntil(endAt);
  await store.close();
  return { startAt, endAt, events: events.length, sessions: sessions.size, tailSeconds, entries, config: cfg };
}
