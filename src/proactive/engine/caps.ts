import type { ProactiveConfig } from './config';
import type { CapSlot, DecisionReason, SessionView } from './proactive.types';
import { stateKeys, type ProactiveStatePort } from './state/proactive-state.port';

/** The part of the state port the caps need. */
export type CapCounter = Pick<ProactiveStatePort, 'tryAcquire' | 'release'>;

type CapsConfig = Pick<ProactiveConfig, 'minIntervalSeconds' | 'maxPerUserPerDay' | 'maxPerProductPerMinute'>;

export type CapsResult = { ok: true; slots: CapSlot[] } | { ok: false; reason: DecisionReason };

/**
 * Takes one slot from each cap, narrowest first (session, user, product), and
 * gives back what it took if a later one is full, so a refused nudge costs nothing.
 */
export async function acquireCaps(caps: CapCounter, view: SessionView, now: number, cfg: CapsConfig): Promise<CapsResult> {
  const wanted: { key: string; limit: number; windowSeconds: number; reason: DecisionReason }[] = [];
  if (cfg.minIntervalSeconds > 0) {
    wanted.push({ key: stateKeys.capSession(view.productId, view.sessionId), limit: 1, windowSeconds: cfg.minIntervalSeconds, reason: 'cap_session' });
  }
  if (cfg.maxPerUserPerDay > 0 && view.userId) {
    wanted.push({ key: stateKeys.capUser(view.productId, view.userId), limit: cfg.maxPerUserPerDay, windowSeconds: 86_400, reason: 'cap_user' });
  }
  if (cfg.maxPerProductPerMinute > 0) {
    wanted.push({ key: stateKeys.capProduct(view.productId), limit: cfg.maxPerProductPerMinute, windowSeconds: 60, reason: 'cap_product' });
  }
  const slots: CapSlot[] = [];
  for (const w of wanted) {
    if (await caps.tryAcquire(w.key, w.limit, w.windowSeconds, now)) {
      slots.push({ key: w.key, acquiredAt: now });
      continue;
    }
    await releaseCaps(caps, slots);
    return { ok: false, reason: w.reason };
  }
  return { ok: true, slots };
}

export async function releaseCaps(caps: CapCounter, slots: readonly CapSlot[]): Promise<void> {
  for (const s of slots) await caps.release(s.key, s.acquiredAt);
}
