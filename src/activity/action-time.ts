import type { Action } from './activity.types';

/** Epoch seconds below this are taken for milliseconds (a sender mixing units): year 5138 in seconds. */
const SECONDS_CEILING = 1e11;

/**
 * When an action happened, in epoch ms, from its own timestamp: clamped to `now` when
 * it claims the future (client clocks drift), `now` when it has none. Recency (the
 * lookback window, "2 min ago") is measured on this, not on when the event reached us.
 */
export function actionTimeMs(a: Pick<Action, 'timestampStart'>, now: number): number {
  const ts = a.timestampStart;
  if (!(ts > 0) || !Number.isFinite(ts)) return now;
  const ms = ts >= SECONDS_CEILING ? ts : ts * 1000;
  return Math.min(ms, now);
}
