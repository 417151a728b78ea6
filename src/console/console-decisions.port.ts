/**
 * What the console shows of the proactive engine: its decisions for a user, newest
 * first. The engine (src/proactive) binds an implementation to CONSOLE_DECISIONS; the
 * console imports nothing of it, and says "proactive engine off" while nothing is bound.
 */
export interface ConsoleDecisionEvidence {
  /** Epoch ms when the action happened. */
  at: number;
  /** The action's kind or label as the engine names it (e.g. "click", "Save project"). */
  label: string;
  canonicalUrl?: string;
}

export interface ConsoleDecision {
  /** Epoch ms of the decision. */
  at: number;
  ruleId: string;
  outcome: 'sent' | 'suppressed' | 'failed';
  /** Why it was suppressed or failed (or why it fired). */
  reason?: string;
  /** Where the nudge went (or would have gone). */
  channel?: string;
  /** The nudge's text. */
  message: string;
  evidence: ConsoleDecisionEvidence[];
}

export interface ConsoleDecisions {
  /** The user's latest decisions, newest first, at most `limit`. */
  listForUser(userId: string, limit: number): Promise<ConsoleDecision[]>;
  /** The latest decisions across users, newest first (the system page's nudges-per-minute chart); optional. */
  listRecent?(limit: number): Promise<ConsoleDecision[]>;
}
