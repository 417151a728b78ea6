import { MAX_ACTIVE_SESSIONS, activeMember, parseActiveMember, type ActiveSession, type ActiveSessionIndex } from './active-sessions.port';

/** One process: a Map in last-seen order (re-inserting moves a key to the end). */
export class MemoryActiveSessions implements ActiveSessionIndex {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = MAX_ACTIVE_SESSIONS) {}

  async touch(productId: string, sessionId: string, at: number): Promise<void> {
    const k = activeMember(productId, sessionId);
    this.seen.delete(k);
    this.seen.set(k, at);
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
  }

  async listSince(since: number, limit: number): Promise<ActiveSession[]> {
    const out: ActiveSession[] = [];
    for (const [k, at] of this.seen) {
      if (at < since) this.seen.delete(k);
    }
    const entries = [...this.seen].sort((a, b) => b[1] - a[1]);
    for (const [k, at] of entries.slice(0, limit)) {
      const scope = parseActiveMember(k);
      if (scope) out.push({ ...scope, lastSeenAt: at });
    }
    return out;
  }

  async close(): Promise<void> {
    this.seen.clear();
  }
}
