import { isRecord } from '../../../common/text';

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

/** First non-empty string among the candidates. */
function first(...values: unknown[]): string {
  for (const v of values) {
    const s = str(v);
    if (s) return s;
  }
  return '';
}

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
    uuid: first(ev.uuid, raw.uuid) || undefined,
    timestamp: toEpochSeconds(ev.timestamp ?? p.$time ?? ev.sent_at, now),
    sessionId: first(ev.session_id, p.$session_id, p.session_id) || undefined,
    userId: first(ev.distinct_id, p.distinct_id, p.$user_id) || undefined,
    email: first(ev.email, p.email, p.$email, personProps.email) || undefined,
    currentUrl: first(ev.current_url, p.$current_url, p.current_url),
    pathname: first(ev.pathname, p.$pathname),
    pageTitle: first(ev.title, p.title, p.$title),
    screenName: first(ev.screen_name, p.$screen_name),
    eventType: first(ev.event_type, p.$event_type).toLowerCase(),
    elementsChain: first(ev.elements_chain, p.$elements_chain),
    buttonOrLinkText: first(ev.button_or_link_text),
    elText: first(ev.el_text, p.$el_text),
    elementId: first(ev.element_id),
    inputFieldName: first(ev.input_field_name),
    linkDestination: first(ev.link_destination, p.$external_click_url),
  };
}
