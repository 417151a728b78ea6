import type { ProactiveDecision } from '../proactive.types';
import type { SessionProactiveState } from './session-fsm';

export interface DecisionLogLimits {
  /** Keep at most this many entries per key (oldest dropped first). */
  maxEntries: number;
  /** Entries older than this are never listed (and may be dropped). */
  maxAgeSeconds: number;
}

/**
 * PROACTIVE_STATE port: everything the engine remembers between evaluations.
 * Implementations: memory (one process) and redis (replicas); both must pass
 * proactive-state.contract.ts.
 *
 * Time: every method that depends on time takes `now` (epoch ms) and measures
 * TTLs and windows against it, never against its own clock, so a virtual clock
 * drives it in tests and replays. A Redis implementation stores expiry times
 * next to values (and sets a Redis TTL on top only as garbage collection).
 */
export interface ProactiveStatePort {
  /** The session's state, or null when unknown or older than the TTL it was written with. */
  getSessionState(key: string, now: number): Promise<SessionProactiveState | null>;
  setSessionState(key: string, state: SessionProactiveState, ttlSeconds: number, now: number): Promise<void>;

  /**
   * Atomically takes one slot under `key` if fewer than `limit` slots were taken
   * in the sliding window (now - windowSeconds, now]; true when taken. Concurrent
   * calls never take more than `limit` slots together.
   */
  tryAcquire(key: string, limit: number, windowSeconds: number, now: number): Promise<boolean>;
  /** Gives back one slot taken under `key` at `acquiredAt` (the `now` of its tryAcquire); no-op when there is none. */
  release(key: string, acquiredAt: number): Promise<void>;

  /** Appends to the key's decision log, keeping it within `limits`. */
  appendDecision(key: string, decision: ProactiveDecision, now: number, limits: DecisionLogLimits): Promise<void>;
  /** The key's decisions, newest first, none older than `maxAgeSeconds`, at most `limit`. */
  listDecisions(key: string, now: number, opts: { maxAgeSeconds: number; limit?: number }): Promise<ProactiveDecision[]>;

  close(): Promise<void>;
}

const enc = (s: string) => encodeURIComponent(s);

/** Ids may contain ":", so every part is encoded; keys never collide across products. */
export const stateKeys = {
  session: (productId: string, sessionId: string) => `proactive:state:${enc(productId)}:${enc(sessionId)}`,
  capSession: (productId: string, sessionId: string) => `proactive:cap:session:${enc(productId)}:${enc(sessionId)}`,
  capUser: (productId: string, userId: string) => `proactive:cap:user:${enc(productId)}:${enc(userId)}`,
  capProduct: (productId: string) => `proactive:cap:product:${enc(productId)}`,
  /** Users' logs are per product user; anonymous sessions get a log of their own. */
  log: (productId: string, userId: string | undefined, sessionId: string) =>
    userId ? `proactive:log:user:${enc(productId)}:${enc(userId)}` : `proactive:log:session:${enc(productId)}:${enc(sessionId)}`,
};
