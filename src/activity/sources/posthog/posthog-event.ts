import { copyString, isRecord } from '../../../common/text';
import { MAX_EMAIL_CHARS, MAX_FIELD_CHARS, MAX_ID_CHARS } from '../../activity-limits';

/** Longest elements chain parsed: posthog-js chains are a few hundred characters; past this is noise or abuse. */
const MAX_CHAIN_CHARS = 16_000;

type Obj = Record<string, unknown>;

// One PostHog event, read from whichever shape it arrived in.

export interface PosthogEvent {
  name: string;
  /** PostHog's event uuid, when the destination sends it: redeliveries carry the same one. */
  uuid?: string;
  /** Epoch seconds. */
  timestamp: number;
  sessionId?: string;
  userId?: string;
  email?: string;
  currentUrl: string;
  pathname: string;
  pageTitle: string;
  screenName: string;
  eventType: string;
  elementsChain: string;
  buttonOrLinkText: string;
  elText: string;
  elementId: string;
  inputFieldName: string;
  linkDestination: string;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** First non-empty string among the candidates, cut to `max` (a copy, so the original can be freed). */
function firstOf(max: number, ...values: unknown[]): string {
  for (const v of values) {
    const s = str(v);
    if (s) return s.length > max ? copyString(s.slice(0, max)) : s;
  }
  return '';
}

const first = (...values: unknown[]) => firstOf(MAX_FIELD_CHARS, ...values);

/** An id is kept whole or not at all: `oversize` says it was there but too long. */
function idOf(max: number, ...values: unknown[]): string | undefined {
  const s = firstOf(Number.MAX_SAFE_INTEGER, ...values);
  if (!s) return undefined;
  if (s.length > max) return OVERSIZE;
  return s;
}

/** Marks an id that was present but longer than its cap; the event is skipped as `oversize_id`. */
export const OVERSIZE = '\u0000oversize';

/** ISO string, epoch seconds or epoch milliseconds → epoch seconds; `fallback` when unusable. */
export function toEpochSeconds(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v > 1e12 ? v / 1000 : v;
  if (typeof v === 'string' && v.trim()) {
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) return n > 1e12 ? n / 1000 : n;
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  return fallback;
}

/**
 * Reads one event in any of the accepted shapes. Flat Hog keys (`session_id`,
 * `current_url`, …) win over PostHog properties (`$session_id`, `$current_url`, …).
 */
export function normalizePosthogEvent(raw: unknown, now: number): PosthogEvent | undefined {
  if (!isRecord(raw)) return undefined;
  const ev: Obj = isRecord(raw.event) ? raw.event : raw;
  const person: Obj = isRecord(raw.person) ? raw.person : isRecord(ev.person) ? ev.person : {};
  const personProps: Obj = isRecord(person.properties) ? person.properties : {};
  const p: Obj = isRecord(ev.properties) ? ev.properties : {};
  return {
    name: first(ev.event, ev.name),
    uuid: idOf(MAX_ID_CHARS, ev.uuid, raw.uuid),
    timestamp: toEpochSeconds(ev.timestamp ?? p.$time ?? ev.sent_at, now),
    sessionId: idOf(MAX_ID_CHARS, ev.session_id, p.$session_id, p.session_id),
    userId: idOf(MAX_ID_CHARS, ev.distinct_id, p.distinct_id, p.$user_id),
    email: idOf(MAX_EMAIL_CHARS, ev.email, p.email, p.$email, personProps.email),
    currentUrl: first(ev.current_url, p.$current_url, p.current_url),
    pathname: first(ev.pathname, p.$pathname),
    pageTitle: first(ev.title, p.title, p.$title),
    screenName: first(ev.screen_name, p.$screen_name),
    eventType: first(ev.event_type, p.$event_type).toLowerCase(),
    elementsChain: firstOf(MAX_CHAIN_CHARS, ev.elements_chain, p.$elements_chain),
    buttonOrLinkText: first(ev.button_or_link_text),
    elText: first(ev.el_text, p.$el_text),
    elementId: first(ev.element_id),
    inputFieldName: first(ev.input_field_name),
    linkDestination: first(ev.link_destination, p.$external_click_url),
  };
}
