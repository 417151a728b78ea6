import type { QuickReply } from '../proactive.types';

export const MAX_QUICK_REPLIES = 4;
export const MAX_QUICK_REPLY_LENGTH = 40;

/** "No thanks", "No, thanks", "Not now", "Maybe later", "Dismiss", "Nope" … */
const DECLINE = /^(?:no\b|nope\b|nah\b|not now\b|not really\b|maybe later\b|later\b|dismiss\b|skip\b|stop\b|never\b|don'?t\b|i'?m (?:fine|good|ok)\b)/iu;
const MAX_DECLINE_TEXT = 40;

export function looksLikeDecline(text: string): boolean {
  const t = normaliseReply(text);
  return t.length > 0 && t.length <= MAX_DECLINE_TEXT && DECLINE.test(t);
}

/** A label is a decline when marked so, or when it reads like one. */
export function quickReply(label: string, decline?: boolean): QuickReply {
  const clean = label.replace(/\s+/gu, ' ').trim();
  return { label: clean, decline: decline ?? looksLikeDecline(clean) };
}

export type ReplyClassification =
  | { kind: 'accepted'; reply: QuickReply }
  | { kind: 'declined'; reply?: QuickReply }
  /** Free text that is neither: the user is talking to the bot. */
  | { kind: 'message' };

/**
 * What a user's answer to a nudge means. Chips are matched case- and
 * space-insensitively (channels echo the label as text); free text that reads
 * like "no thanks" is a decline too.
 */
export function classifyNudgeReply(text: string, quickReplies: readonly QuickReply[]): ReplyClassification {
  const t = normaliseReply(text);
  const reply = quickReplies.find((q) => normaliseReply(q.label) === t);
  if (reply) return reply.decline ? { kind: 'declined', reply } : { kind: 'accepted', reply };
  if (looksLikeDecline(text)) return { kind: 'declined' };
  return { kind: 'message' };
}

function normaliseReply(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u00a0]+/gu, ' ')
    .replace(/[.!?,\s]+$/u, '')
    .trim();
}
