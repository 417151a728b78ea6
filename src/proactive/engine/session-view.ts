import type { SessionContext, StoredAction } from '../../activity/session-store/session-store.port';
import { firstNameFromEmail } from '../../copilot/first-name';
import type { ProactiveAction, SessionView, UserPropertyValue } from './proactive.types';

export interface SessionViewExtras {
  /** Wins over the guess from the session's email. */
  firstName?: string;
  userProperties?: Record<string, UserPropertyValue>;
}

export interface SessionViewOptions {
  /**
   * Which clock action times come from. `client` (default): the action's own
   * timestamp, falling back to when it was stored. `received`: when it was
   * stored, for browsers whose clocks cannot be trusted (a clock running behind
   * makes time-based triggers fire early by the skew).
   */
  clock?: 'client' | 'received';
}

/** What the engine needs from a stored session. Action times are epoch ms, never later than `now`. */
export function buildSessionView(ctx: SessionContext, now: number, extras: SessionViewExtras = {}, opts: SessionViewOptions = {}): SessionView {
  const useReceived = opts.clock === 'received';
  const actions = ctx.actions.map((a) => toProactiveAction(a, now, useReceived));
  return {
    productId: ctx.productId,
    sessionId: ctx.sessionId,
    userId: ctx.userId,
    firstName: extras.firstName ?? firstNameFromEmail(ctx.email),
    userProperties: extras.userProperties,
    actions,
    lastActivityAt: ctx.lastActivityAt,
  };
}

function toProactiveAction(a: StoredAction, now: number, useReceived: boolean): ProactiveAction {
  const own = a.timestampStart > 0 ? Math.round(a.timestampStart * 1000) : a.receivedAt;
  return {
    type: a.type,
    title: a.title,
    canonicalUrl: a.canonicalUrl,
    rawUrl: a.rawUrl || undefined,
    at: Math.min(useReceived ? a.receivedAt : own, now),
  };
}
