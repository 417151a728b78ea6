import { copyString, isRecord } from '../common/text';
import { MAX_EMAIL_CHARS, MAX_FIELD_CHARS, MAX_ID_CHARS, MAX_TYPE_CHARS } from './activity-limits';
import type { Action, ActionsEvent, ActivityEvent, ActivitySource, SummaryEvent } from './activity.types';

/**
 * Lenient where the connector SDK is lenient (missing optional fields get defaults,
 * `count` is reconciled with the actions actually sent), strict where an event
 * cannot be used (no `type`, `actions` not an array, an action that is not an object).
 */
export type ParseResult =
  | { ok: true; event: ActivityEvent }
  /** Not an event at all (not a JSON object): the sender has a bug. */
  | { ok: false; reason: 'not_object'; message: string }
  /** An object the connector SDK itself would drop without raising: acknowledge and ignore it. */
  | { ok: false; reason: 'missing_type' | 'invalid_event' | 'empty_summary' | 'oversize_id'; message: string }
  | { ok: false; reason: 'unknown_type'; type: string; message: string };

export { MAX_FIELD_CHARS } from './activity-limits';

type Obj = Record<string, unknown>;

class FieldError extends Error {}
class EmptySummary extends Error {}
class OversizeId extends Error {}

const isObj = isRecord;

function text(obj: Obj, key: string, path: string, max = MAX_FIELD_CHARS): string {
  const v = obj[key];
  if (v === undefined || v === null || v === false) return '';
  // A copy, not a slice: a V8 slice would keep the whole (possibly huge) original alive.
  if (typeof v === 'string') return v.length > max ? copyString(v.slice(0, max)) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new FieldError(`${path}${key} must be a string`);
}

/** Identity fields: empty string and null both mean "unknown"; one that does not fit is refused, not cut. */
function optionalId(obj: Obj, key: string, path: string, max = MAX_ID_CHARS): string | undefined {
  const v = obj[key];
  if (typeof v === 'string' && v.trim().length > max) throw new OversizeId(`${path}${key} is longer than ${max} characters`);
  const s = text(obj, key, path).trim();
  return s === '' ? undefined : s;
}

function number(obj: Obj, key: string, path: string): number {
  const v = obj[key];
  if (v === undefined || v === null || v === '' || v === false) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new FieldError(`${path}${key} must be a number`);
  return n;
}

function productId(body: Obj): string {
  return optionalId(body, 'product_id', '') ?? '';
}

function parseAction(raw: unknown, i: number): Action {
  const path = `actions[${i}].`;
  if (!isObj(raw)) throw new FieldError(`actions[${i}] must be an object`);
  return {
    index: Math.trunc(number(raw, 'index', path)),
    type: text(raw, 'type', path, MAX_TYPE_CHARS),
    title: text(raw, 'title', path),
    description: text(raw, 'description', path),
    canonicalUrl: text(raw, 'canonical_url', path),
    rawUrl: text(raw, 'raw_url', path),
    timestampStart: number(raw, 'timestamp_start', path),
    timestampEnd: number(raw, 'timestamp_end', path),
    sessionId: optionalId(raw, 'session_id', path),
    userId: optionalId(raw, 'user_id', path),
    email: optionalId(raw, 'email', path, MAX_EMAIL_CHARS),
  };
}

function parseActions(body: Obj, source: ActivitySource): ActionsEvent {
  const rawActions = body.actions ?? [];
  if (!Array.isArray(rawActions)) throw new FieldError('actions must be an array');
  const actions = rawActions.map(parseAction);
  const first = actions[0];
  return {
    type: 'actions',
    productId: productId(body),
    // Batch-level identity wins; per-action identity (SDK >= 0.6.4) fills gaps.
    sessionId: optionalId(body, 'session_id', '') ?? first?.sessionId,
    userId: optionalId(body, 'user_id', '') ?? actions.find((a) => a.userId)?.userId,
    email: optionalId(body, 'email', '', MAX_EMAIL_CHARS) ?? actions.find((a) => a.email)?.email,
    conversationId: optionalId(body, 'conversation_id', ''),
    actions,
    count: actions.length,
    forwardedAt: number(body, 'forwarded_at', ''),
    source,
  };
}

function parseSummary(body: Obj, source: ActivitySource): SummaryEvent {
  const summary = text(body, 'summary', '').trim();
  if (!summary) throw new EmptySummary('summary is empty');
  const replaces = Math.trunc(number(body, 'replaces', ''));
  if (replaces < 0) throw new FieldError('replaces must not be negative');
  return {
    type: 'summary',
    productId: productId(body),
    sessionId: optionalId(body, 'session_id', ''),
    summary,
    replaces,
    forwardedAt: number(body, 'forwarded_at', ''),
    source,
  };
}

export function parseActivityEvent(body: unknown, source: ActivitySource): ParseResult {
  if (!isObj(body)) return { ok: false, reason: 'not_object', message: 'event must be a JSON object' };
  const type = body.type;
  if (type === undefined || type === null || type === '') {
    return { ok: false, reason: 'missing_type', message: 'type is required ("actions" or "summary")' };
  }
  if (typeof type !== 'string') return { ok: false, reason: 'invalid_event', message: 'type must be a string' };
  try {
    if (type === 'actions') return { ok: true, event: parseActions(body, source) };
    if (type === 'summary') return { ok: true, event: parseSummary(body, source) };
  } catch (err) {
    if (err instanceof EmptySummary) return { ok: false, reason: 'empty_summary', message: err.message };
    if (err instanceof OversizeId) return { ok: false, reason: 'oversize_id', message: err.message };
    if (err instanceof FieldError) return { ok: false, reason: 'invalid_event', message: err.message };
    throw err;
  }
  return { ok: false, reason: 'unknown_type', type, message: `unknown event type "${type.slice(0, 50)}"` };
}
