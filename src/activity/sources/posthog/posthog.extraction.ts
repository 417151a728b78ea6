import { sanitizeActivityText } from '../../activity-context.renderer';
import type { Action, ActionsEvent } from '../../activity.types';

/**
 * Turns PostHog events (autocapture, pageviews, custom events) into the connector's
 * `actions` wire model: the extraction the hosted connector performs. Pure functions;
 * the PostHog ingest service adds per-session indexes and publishes.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Events that say nothing about what the user is trying to do in the UI. */
export const LOW_SIGNAL_EVENTS: ReadonlySet<string> = new Set([
  '$pageleave', '$identify', '$set', '$set_once', '$feature_flag_called', '$web_vitals', '$groupidentify',
  '$create_alias', '$merge_dangerously', '$opt_in', '$snapshot', '$performance_event', '$heatmap',
  '$copy_autocapture', '$dead_click', '$exception', '$autocapture_disabled', '$feature_view', '$feature_interaction',
  '$survey_shown', '$survey_dismissed', '$survey_sent', '$ai_generation', '$session_recording_start',
]);

export type SkipReason =
  | 'invalid_event'
  | 'missing_event_name'
  | 'low_signal'
  | 'missing_session_id'
  | 'unsupported_event_type'
  | 'missing_url'
  | 'no_label';

const MAX_LABEL_CHARS = 80;
const MAX_URL_CHARS = 2_000;

// ───────────────────────────── body shapes ─────────────────────────────

export type UnwrapResult = { ok: true; events: unknown[] } | { ok: false; message: string };

/**
 * Accepts a flat Hog-function body, PostHog's default webhook body `{event:{…}, person:{…}}`,
 * `{batch:[…]}`, or a bare array of events.
 */
export function unwrapPosthogBody(body: unknown): UnwrapResult {
  if (Array.isArray(body)) return { ok: true, events: body };
  if (!isObj(body)) return { ok: false, message: 'body must be a JSON object (a PostHog event or {"batch": [...]})' };
  if ('batch' in body) {
    return Array.isArray(body.batch) ? { ok: true, events: body.batch } : { ok: false, message: 'batch must be an array of events' };
  }
  if (typeof body.event === 'string' || isObj(body.event)) return { ok: true, events: [body] };
  if ('event' in body) return { ok: false, message: 'event must be a string (event name) or an object (PostHog event)' };
  return { ok: false, message: 'event is required: send a PostHog event ({"event": ..., ...}) or {"batch": [...]}' };
}

// ───────────────────────────── one event ─────────────────────────────

export interface PosthogEvent {
  name: string;
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
  if (!isObj(raw)) return undefined;
  const ev: Obj = isObj(raw.event) ? raw.event : raw;
  const person: Obj = isObj(raw.person) ? raw.person : isObj(ev.person) ? ev.person : {};
  const personProps: Obj = isObj(person.properties) ? person.properties : {};
  const p: Obj = isObj(ev.properties) ? ev.properties : {};
  return {
    name: first(ev.event, ev.name),
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

// ───────────────────────────── elements_chain ─────────────────────────────

export interface ChainElement {
  tag: string;
  classes: string[];
  attrs: Record<string, string>;
}

/** Splits on `;` outside double quotes (values escape quotes as `\"`). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === sep && !inQuote) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) parts.push(cur);
  return parts;
}

const ATTR_START = /:(?=[A-Za-z0-9_-]*=")/;
const ATTR = /([A-Za-z0-9_-]+)="((?:\\.|[^"\\])*)"/g;

/**
 * Parses posthog-js `$elements_chain`: elements from the clicked node outward, each
 * `tag.class1.class2:key="value"key2="value2"`. The attribute part starts at the first
 * `:` followed by `key="`, so classes such as Tailwind's `md:flex` stay classes.
 */
export function parseElementsChain(chain: string): ChainElement[] {
  if (!chain) return [];
  return splitOutsideQuotes(chain, ';').map((part) => {
    const m = ATTR_START.exec(part);
    const head = m ? part.slice(0, m.index) : part;
    const attrPart = m ? part.slice(m.index + 1) : '';
    const [tag = '', ...classes] = head.split('.');
    const attrs: Record<string, string> = {};
    for (const a of attrPart.matchAll(ATTR)) {
      if (!(a[1] in attrs)) attrs[a[1]] = a[2].replace(/\\(.)/g, '$1');
    }
    return { tag: tag.trim().toLowerCase(), classes: classes.filter(Boolean), attrs };
  });
}

const INTERACTIVE_TAGS = new Set(['a', 'button', 'input', 'select', 'textarea', 'label', 'form', 'summary', 'option']);

/** The clicked element and its ancestors up to the nearest interactive one (at most 5). */
function targetElements(elements: ChainElement[]): ChainElement[] {
  const out: ChainElement[] = [];
  for (const el of elements.slice(0, 5)) {
    out.push(el);
    if (INTERACTIVE_TAGS.has(el.tag) || el.attrs.attr__role === 'button' || el.attrs.attr__role === 'link') break;
  }
  return out;
}

function fromChain(elements: ChainElement[], keys: string[]): string {
  for (const key of keys) {
    for (const el of elements) {
      const v = el.attrs[key]?.trim();
      if (v) return v;
    }
  }
  return '';
}

function label(s: string): string {
  return sanitizeActivityText(s, MAX_LABEL_CHARS);
}

/**
 * The user-visible name of what was clicked: link/button text, `$el_text`, then the
 * chain's `text`, `aria-label`, `name`, `id`; for form fields and forms the
 * accessible name and field name come first, since their text is their content.
 */
export function elementLabel(e: PosthogEvent, kind: 'click' | 'field' | 'form'): { label: string; tag: string } {
  const elements = targetElements(parseElementsChain(e.elementsChain));
  const tag = elements[0]?.tag ?? '';
  const chainKeys =
    kind === 'click'
      ? ['text', 'attr__aria-label', 'attr__name', 'attr__id', 'attr__title', 'attr__alt', 'attr__placeholder']
      : ['attr__aria-label', 'attr__name', 'attr__id', 'attr__placeholder', 'attr__title', 'text'];
  const candidates =
    kind === 'click'
      ? [e.buttonOrLinkText, e.elText, fromChain(elements, chainKeys), e.inputFieldName, e.elementId]
      : [fromChain(elements, chainKeys), e.inputFieldName, e.elementId, kind === 'field' ? '' : e.elText];
  for (const c of candidates) {
    const l = label(c);
    if (l) return { label: l, tag };
  }
  if (kind === 'click') {
    const href = e.linkDestination || fromChain(elements, ['href', 'attr__href']);
    if (href) return { label: `link to ${label(hrefLabel(href))}`, tag };
  }
  return { label: '', tag };
}

// ───────────────────────────── URLs ─────────────────────────────

/** `test.com/pricing` for absolute links, the canonical path for relative ones. */
function hrefLabel(href: string): string {
  try {
    const u = new URL(href);
    const path = canonicalizeUrl(href);
    return `${u.host}${path === '/' ? '' : path}`;
  } catch {
    return canonicalizeUrl(href) || href;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path segments that identify a record rather than a page: numbers, UUIDs, long hex. */
export function isIdSegment(seg: string): boolean {
  if (/^\d+$/.test(seg)) return true;
  if (UUID.test(seg)) return true;
  if (/^[0-9a-f]{16,}$/i.test(seg)) return true;
  return /^[0-9a-f]{8,}$/i.test(seg) && /\d/.test(seg);
}

/** Path only (no origin, query or fragment), ids replaced by `:id`, no trailing slash. */
export function canonicalizeUrl(raw: string, pathnameFallback = ''): string {
  let path = '';
  if (raw) {
    try {
      path = new URL(raw).pathname;
    } catch {
      if (raw.startsWith('/')) path = raw;
    }
  }
  if (!path && pathnameFallback) path = pathnameFallback;
  path = path.split(/[?#]/)[0];
  if (!path) return '';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      let decoded = seg;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        // keep the raw segment
      }
      return isIdSegment(decoded) ? ':id' : seg;
    });
  return `/${segments.join('/')}`.slice(0, MAX_URL_CHARS);
}

// ───────────────────────────── event → action ─────────────────────────────

/** An action before its per-session index is assigned. */
export interface ExtractedAction {
  sessionId: string;
  userId?: string;
  email?: string;
  type: string;
  title: string;
  description: string;
  canonicalUrl: string;
  rawUrl: string;
  timestamp: number;
}

export type ExtractResult = { ok: true; action: ExtractedAction } | { ok: false; reason: SkipReason };

const HANDLED = new Set(['$pageview', '$screen', '$autocapture', '$rageclick']);

function tagNoun(tag: string): string {
  switch (tag) {
    case 'a':
      return 'a link';
    case 'button':
      return 'a button';
    case 'input':
      return 'an input';
    case 'img':
    case 'svg':
      return 'an image';
    case '':
      return '';
    default:
      return `a ${tag} element`;
  }
}

export function extractAction(raw: unknown, now: number): ExtractResult {
  const e = normalizePosthogEvent(raw, now);
  if (!e) return { ok: false, reason: 'invalid_event' };
  if (!e.name) return { ok: false, reason: 'missing_event_name' };
  if (LOW_SIGNAL_EVENTS.has(e.name) || (e.name.startsWith('$') && !HANDLED.has(e.name))) return { ok: false, reason: 'low_signal' };
  if (!e.sessionId) return { ok: false, reason: 'missing_session_id' };

  const canonicalUrl = canonicalizeUrl(e.currentUrl, e.pathname);
  const where = canonicalUrl ? ` on ${canonicalUrl}` : '';
  const base = {
    sessionId: e.sessionId,
    userId: e.userId,
    email: e.email,
    canonicalUrl,
    rawUrl: e.currentUrl.slice(0, MAX_URL_CHARS),
    timestamp: e.timestamp,
  };
  const done = (type: string, title: string, description: string): ExtractResult => ({ ok: true, action: { ...base, type, title, description } });

  switch (e.name) {
    case '$pageview':
    case '$screen': {
      const page = label(e.pageTitle || e.screenName) || canonicalUrl;
      if (!page) return { ok: false, reason: 'missing_url' };
      return done('pageview', `Viewed ${page}`, `User opened ${page}${canonicalUrl && page !== canonicalUrl ? ` (${canonicalUrl})` : ''}`);
    }
    case '$rageclick': {
      const { label: l, tag } = elementLabel(e, 'click');
      const what = l ? `'${l}'` : tagNoun(tag) || 'an element';
      return done('rageclick', `Rage-clicked ${what}`, `User clicked ${what} repeatedly in frustration${where}`);
    }
    case '$autocapture':
      break;
    default:
      // A company's own tracked events (e.g. "Project created") are deliberate, high-signal milestones.
      return done('custom', label(e.name), `User triggered ${label(e.name)}${where}`);
  }

  if (e.eventType === 'click' || e.eventType === 'touch' || e.eventType === '') {
    const { label: l, tag } = elementLabel(e, 'click');
    if (!l && !tagNoun(tag)) return { ok: false, reason: 'no_label' };
    const what = l ? `'${l}'` : tagNoun(tag);
    return done('click', `Clicked ${what}`, `User clicked ${what}${where}`);
  }
  if (e.eventType === 'submit') {
    const { label: l } = elementLabel(e, 'form');
    const what = l ? `'${l}'` : 'a form';
    return done('submit', `Submitted ${what}`, `User submitted ${l ? `the form ${what}` : 'a form'}${where}`);
  }
  if (e.eventType === 'change') {
    const { label: l } = elementLabel(e, 'field');
    const what = l ? `'${l}'` : 'a field';
    return done('change', `Changed ${what}`, `User changed ${l ? `the field ${what}` : 'a field'}${where}`);
  }
  return { ok: false, reason: 'unsupported_event_type' };
}

// ───────────────────────────── grouping ─────────────────────────────

/**
 * Groups actions by session (first-seen order), orders each session by time, gives
 * every action the next index of its session, and emits one `actions` event per
 * run of the same user, so a session that changes identity mid-batch (anonymous →
 * identified) never attributes one user's actions to another.
 */
export function buildActionsEvents(
  extracted: ExtractedAction[],
  productId: string,
  allocateIndex: (sessionId: string) => number,
  forwardedAt: number,
): ActionsEvent[] {
  const bySession = new Map<string, ExtractedAction[]>();
  for (const a of extracted) {
    const list = bySession.get(a.sessionId);
    if (list) list.push(a);
    else bySession.set(a.sessionId, [a]);
  }
  const events: ActionsEvent[] = [];
  for (const [sessionId, list] of bySession) {
    const ordered = list.map((a, i) => ({ a, i })).sort((x, y) => x.a.timestamp - y.a.timestamp || x.i - y.i).map((x) => x.a);
    const actions: Action[] = ordered.map((a, i) => ({
      index: allocateIndex(sessionId),
      type: a.type,
      title: a.title,
      description: a.description,
      canonicalUrl: a.canonicalUrl,
      rawUrl: a.rawUrl,
      timestampStart: a.timestamp,
      timestampEnd: i + 1 < ordered.length ? ordered[i + 1].timestamp : a.timestamp,
      sessionId,
      userId: a.userId,
      email: a.email,
    }));
    let run: Action[] = [];
    const flush = () => {
      if (run.length === 0) return;
      events.push({
        type: 'actions',
        productId,
        sessionId,
        userId: run[0].userId,
        email: run.find((a) => a.email)?.email,
        actions: run,
        count: run.length,
        forwardedAt,
        source: 'posthog',
      });
      run = [];
    };
    for (const action of actions) {
      if (run.length > 0 && run[0].userId !== action.userId) flush();
      run.push(action);
    }
    flush();
  }
  return events;
}
