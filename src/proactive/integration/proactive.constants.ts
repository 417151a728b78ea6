/** PROACTIVE_STATE: the engine's ProactiveStatePort (memory or redis, by STORE). */
export const PROACTIVE_STATE = Symbol('PROACTIVE_STATE');
/** ACTIVE_SESSIONS: the ActiveSessionIndex the pulse walks. */
export const ACTIVE_SESSIONS = Symbol('ACTIVE_SESSIONS');
/** PROACTIVE_ENGINE: the one ProactiveEngine of this process (rules loaded and validated at boot). */
export const PROACTIVE_ENGINE = Symbol('PROACTIVE_ENGINE');
/** PROACTIVE_DELIVERY_POLICY: retries of a nudge's delivery (tests shorten them through it). */
export const PROACTIVE_DELIVERY_POLICY = Symbol('PROACTIVE_DELIVERY_POLICY');

export const NUDGE_JOB = 'proactive.deliver';

export interface ProactiveDeliveryPolicy {
  /** Tries per nudge, the first included; a nudge is only worth sending while the user is still there. */
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** Consecutive failures of one channel that open its breaker. */
  breakerThreshold: number;
  /** How long an open breaker waits before letting one nudge try the channel again. */
  breakerHalfOpenMs: number;
}

/** Five tries over about a minute: a nudge that arrives later than that is about a moment that has passed. */
export const DEFAULT_PROACTIVE_DELIVERY_POLICY: ProactiveDeliveryPolicy = {
  attempts: 5,
  backoffMs: 2_000,
  maxBackoffMs: 30_000,
  breakerThreshold: 5,
  breakerHalfOpenMs: 30_000,
};
