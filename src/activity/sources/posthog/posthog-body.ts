import { isRecord } from '../../../common/text';

// The body shapes PostHog destinations send.

export type UnwrapResult = { ok: true; events: unknown[] } | { ok: false; message: string };

/**
 * Accepts a flat Hog-function body, PostHog's default webhook body `{event:{…}, person:{…}}`,
 * `{batch:[…]}`, or a bare array of events.
 */
export function unwrapPosthogBody(body: unknown): UnwrapResult {
  if (Array.isArray(body)) return { ok: true, events: body };
  if (!isRecord(body)) return { ok: false, message: 'body must be a JSON object (a PostHog event or {"batch": [...]})' };
  if ('batch' in body) {
    return Array.isArray(body.batch) ? { ok: true, events: body.batch } : { ok: false, message: 'batch must be an array of events' };
  }
  if (typeof body.event === 'string' || isRecord(body.event)) return { ok: true, events: [body] };
  if ('event' in body) return { ok: false, message: 'event must be a string (event name) or an object (PostHog event)' };
  return { ok: false, message: 'event is required: send a PostHog event ({"event": ..., ...}) or {"batch": [...]}' };
}
