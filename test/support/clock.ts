/**
 * Activity timestamps for tests. The service measures recency on the actions' own
 * timestamps (older than LOOKBACK_SECONDS is dropped), so test events happen "now".
 */
export const T0_SECONDS = Math.floor(Date.now() / 1000) - 60;

/** Epoch seconds `offset` seconds after the suite's start time (a minute ago). */
export const at = (offsetSeconds = 0): number => T0_SECONDS + offsetSeconds;

/** The same instant as an ISO string (PostHog's format). */
export const isoAt = (offsetSeconds = 0): string => new Date(at(offsetSeconds) * 1000).toISOString();
