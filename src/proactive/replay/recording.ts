import { parseActivityEvent } from '../../activity/activity.parser';
import type { ActionsEvent } from '../../activity/activity.types';

/**
 * A recording is JSON lines, in order: connector push/stream bodies
 * (`{"type":"actions", …}`), plus replay-only `{"type":"chat", product_id,
 * session_id, text, timestamp}` lines for what the user wrote in the chat.
 */
export type RecordedEvent =
  | { kind: 'actions'; line: number; at: number; event: ActionsEvent }
  | { kind: 'chat'; line: number; at: number; productId: string; sessionId: string; text: string };

export interface Recording {
  events: RecordedEvent[];
  /** Lines ignored because they carry nothing to replay (summaries, unknown types, blank lines are not counted). */
  ignoredLines: number[];
}

export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

export function parseRecording(text: string): Recording {
  const events: RecordedEvent[] = [];
  const ignoredLines: number[] = [];
  let lastAt = 0;
  text.split(/\r?\n/u).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new RecordingError(`line ${line}: not valid JSON`);
    }
    const ev = toEvent(body, line);
    if (!ev) {
      ignoredLines.push(line);
      return;
    }
    // The virtual clock never runs backwards; an event recorded out of order is replayed at the previous time.
    ev.at = Math.max(ev.at, lastAt);
    lastAt = ev.at;
    events.push(ev);
  });
  return { events, ignoredLines };
}

function toEvent(body: unknown, line: number): RecordedEvent | null {
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (obj?.type === 'chat') return chatEvent(obj, line);
  const parsed = parseActivityEvent(body, 'test');
  if (!parsed.ok) {
    if (parsed.reason === 'unknown_type') return null;
    throw new RecordingError(`line ${line}: ${parsed.message}`);
  }
  if (parsed.event.type !== 'actions') return null;
  const event = parsed.event;
  if (!event.sessionId) throw new RecordingError(`line ${line}: session_id is required`);
  const latestAction = Math.max(0, ...event.actions.map((a) => Math.max(a.timestampStart, a.timestampEnd)));
  const seconds = event.forwardedAt > 0 ? event.forwardedAt : latestAction;
  if (seconds <= 0) throw new RecordingError(`line ${line}: no time (forwarded_at or the actions' timestamp_start)`);
  return { kind: 'actions', line, at: Math.round(seconds * 1000), event };
}

function chatEvent(obj: Record<string, unknown>, line: number): RecordedEvent {
  const { product_id, session_id, text, timestamp } = obj;
  if (typeof product_id !== 'string' || typeof session_id !== 'string' || !session_id) {
    throw new RecordingError(`line ${line}: a chat line needs product_id and session_id`);
  }
  if (typeof text !== 'string') throw new RecordingError(`line ${line}: a chat line needs text`);
  if (typeof timestamp !== 'number' || !(timestamp > 0)) throw new RecordingError(`line ${line}: a chat line needs timestamp (epoch seconds)`);
  return { kind: 'chat', line, at: Math.round(timestamp * 1000), productId: product_id, sessionId: session_id, text };
}
