import type { ProactiveDecision } from '../proactive.types';
import type { DecisionLogLimits, ProactiveStatePort } from './proactive-state.port';
import { parseState, serialiseState, type SessionProactiveState } from './session-fsm';

export interface MemoryProactiveStateOptions {
  /** Bound on each map (states, counters, logs); the least recently written entry goes first. */
  maxKeys?: number;
}

/**
 * PROACTIVE_STATE for one process. States are stored serialised, so callers
 * never share objects with the store and the JSON round trip a Redis
 * implementation does is exercised here too.
 */
export class MemoryProactiveState implements ProactiveStatePort {
  private readonly states = new Map<string, { json: string; expiresAt: number }>();
  private readonly slots = new Map<string, number[]>();
  private readonly logs = new Map<string, ProactiveDecision[]>();
  private readonly maxKeys: number;

  constructor(opts: MemoryProactiveStateOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 200_000;
  }

  async getSessionState(key: string, now: number): Promise<SessionProactiveState | null> {
    const rec = this.states.get(key);
    if (!rec) return null;
    if (now >= rec.expiresAt) {
      this.states.delete(key);
      return null;
    }
    return parseState(rec.json);
  }

  async setSessionState(key: string, state: SessionProactiveState, ttlSeconds: number, now: number): Promise<void> {
    touch(this.states, key, { json: serialiseState(state), expiresAt: now + ttlSeconds * 1000 }, this.maxKeys);
  }

  async tryAcquire(key: string, limit: number, windowSeconds: number, now: number): Promise<boolean> {
    // Single-threaded: nothing can interleave between the read and the write below.
    const from = now - windowSeconds * 1000;
    const taken = (this.slots.get(key) ?? []).filter((t) => t > from && t <= now);
    if (taken.length >= limit) {
      this.slots.set(key, taken);
      return false;
    }
    taken.push(now);
    touch(this.slots, key, taken, this.maxKeys);
    return true;
  }

  async release(key: string, acquiredAt: number): Promise<void> {
    const taken = this.slots.get(key);
    if (!taken) return;
    const i = taken.lastIndexOf(acquiredAt);
    if (i >= 0) taken.splice(i, 1);
    if (taken.length === 0) this.slots.delete(key);
  }

  async appendDecision(key: string, decision: ProactiveDecision, now: number, limits: DecisionLogLimits): Promise<void> {
    const from = now - limits.maxAgeSeconds * 1000;
    const log = (this.logs.get(key) ?? []).filter((d) => d.at >= from);
    log.push(structuredClone(decision));
    touch(this.logs, key, log.slice(-limits.maxEntries), this.maxKeys);
  }

  async listDecisions(key: string, now: number, opts: { maxAgeSeconds: number; limit?: number }): Promise<ProactiveDecision[]> {
    const from = now - opts.maxAgeSeconds * 1000;
    const newestFirst = (this.logs.get(key) ?? []).filter((d) => d.at >= from).reverse();
    return structuredClone(opts.limit === undefined ? newestFirst : newestFirst.slice(0, opts.limit));
  }

  async close(): Promise<void> {
    this.states.clear();
    this.slots.clear();
    this.logs.clear();
  }
}

/** Re-inserting moves a key to the end of the Map's order, so the first key is the least recently written. */
function touch<V>(map: Map<string, V>, key: string, value: V, maxKeys: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > maxKeys) map.delete(map.keys().next().value as string);
}
