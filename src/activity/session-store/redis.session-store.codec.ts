import type { Action } from '../activity.types';
import type { SessionContext, SessionScope, StoredAction } from './session-store.port';

/**
 * How the Redis session store writes actions, scopes and session meta, and reads them
 * back. Actions are positional JSON arrays — `[seq,receivedAt,occurredAt,index,type,
 * title,description,canonicalUrl,rawUrl,timestampStart,timestampEnd,sessionId,userId,
 * email]` without trailing empty fields — about 40% smaller than keyed objects, and the
 * script can read seq and occurredAt off the front without a JSON parser.
 */

/**
 * The part of an action's array after `[seq,receivedAt,` (the script adds those two):
 * occurredAt first, then the action's own fields.
 */
export function encodeActionTail(a: Action, occurredAt: number): string {
  const fields: unknown[] = [
    occurredAt, a.index, a.type, a.title, a.description, a.canonicalUrl, a.rawUrl, a.timestampStart, a.timestampEnd, a.sessionId, a.userId, a.email,
  ];
  while (fields.length > 0 && fields[fields.length - 1] === undefined) fields.pop();
  // JSON.stringify writes undefined array slots as null; decodeAction maps them back.
  return JSON.stringify(fields).slice(1);
}

export function decodeAction(raw: string): StoredAction {
  const f = JSON.parse(raw) as unknown[];
  const opt = (v: unknown) => (v === null || v === undefined ? undefined : (v as string));
  return {
    index: f[3] as number,
    type: f[4] as string,
    title: f[5] as string,
    description: f[6] as string,
    canonicalUrl: f[7] as string,
    rawUrl: f[8] as string,
    timestampStart: f[9] as number,
    timestampEnd: f[10] as number,
    sessionId: opt(f[11]),
    userId: opt(f[12]),
    email: opt(f[13]),
    seq: f[0] as number,
    receivedAt: f[1] as number,
    occurredAt: f[2] as number,
  };
}

/** Escapes the separator (and the escape character) so `<product>:<session>` is unambiguous. */
const escapePart = (s: string) => s.replace(/%/g, '%25').replace(/:/g, '%3A');
const unescapePart = (s: string) => s.replace(/%(25|3A)/g, (_m, code: string) => (code === '25' ? '%' : ':'));

export function encodeScope(s: SessionScope): string {
  return `${escapePart(s.productId)}:${escapePart(s.sessionId)}`;
}

export function productPrefix(productId: string): string {
  return `${escapePart(productId)}:`;
}

export function decodeScope(member: string): SessionScope {
  const i = member.indexOf(':');
  return { productId: unescapePart(member.slice(0, i)), sessionId: unescapePart(member.slice(i + 1)) };
}

/** HGETALL's flat [field, value, …] reply as a record. */
export function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

export interface SnapshotRules {
  now: number;
  lookbackMs: number;
  maxActions: number;
  sessionTtlMs: number;
}

/**
 * A session as the port returns it, or null when it is unknown or idle past its TTL.
 * Reads never write, so actions that happened before the lookback window (pruned on the
 * next append) are filtered here, wherever they sit in the list (late batches arrive out
 * of order), as the memory store prunes them.
 */
export function toSessionContext(scope: SessionScope, meta: Record<string, string>, rawActions: string[], rules: SnapshotRules): SessionContext | null {
  if (meta.l === undefined || meta.g === undefined) return null;
  const lastActivityAt = Number(meta.l);
  if (rules.now - lastActivityAt > rules.sessionTtlMs) return null;
  const cutoff = rules.now - rules.lookbackMs;
  const actions = rawActions.map(decodeAction).filter((a) => a.occurredAt >= cutoff);
  return {
    productId: scope.productId,
    sessionId: scope.sessionId,
    userId: meta.u,
    email: meta.e,
    summary: meta.st === undefined ? undefined : { text: meta.st, updatedAt: Number(meta.su), coversThroughSeq: Number(meta.sc) },
    actions: actions.length > rules.maxActions ? actions.slice(-rules.maxActions) : actions,
    lastActivityAt,
    generation: Number(meta.g),
    summaryRevision: Number(meta.r ?? 0),
  };
}
