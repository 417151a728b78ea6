/** A session the pulse may have to look at. */
export interface ActiveSession {
  productId: string;
  sessionId: string;
  /** Epoch ms of its last stored actions. */
  lastSeenAt: number;
}

/**
 * Which sessions stored actions recently, across the deployment: the session store has
 * no listing, and the pulse runs on one replica while actions are stored on any.
 * Implementations: memory and redis (one ZSET); both pass active-sessions.contract.ts.
 */
export interface ActiveSessionIndex {
  touch(productId: string, sessionId: string, at: number): Promise<void>;
  /** Sessions seen at or after `since`, most recent first, at most `limit`; older ones are forgotten. */
  listSince(since: number, limit: number): Promise<ActiveSession[]>;
  close(): Promise<void>;
}

/** Bound on sessions remembered (the most recently seen are kept). */
export const MAX_ACTIVE_SESSIONS = 200_000;

const enc = encodeURIComponent;
export const activeMember = (productId: string, sessionId: string): string => `${enc(productId)}:${enc(sessionId)}`;
export function parseActiveMember(member: string): { productId: string; sessionId: string } | null {
  const cut = member.indexOf(':');
  if (cut < 0) return null;
  try {
    return { productId: decodeURIComponent(member.slice(0, cut)), sessionId: decodeURIComponent(member.slice(cut + 1)) };
  } catch {
    return null;
  }
}
