import { copyString } from '../../../common/text';
import { MAX_URL_CHARS, canonicalizeUrl } from './canonical-url';
import { elementLabel, label } from './elements-chain';
import { normalizePosthogEvent, OVERSIZE } from './posthog-event';

// One PostHog event → one connector-style action (or the reason it is skipped): the
// extraction the hosted connector performs.

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
  | 'no_label'
  | 'oversize_id';

/** An action before its per-session index is assigned. */
export interface ExtractedAction {
  sessionId: string;
  /** PostHog's event uuid, for dropping redelivered events. */
  eventId?: string;
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

/** UI text is quoted as seen; a description of our own is not. */
const quote = (label: string, described?: boolean) => (described ? label : `'${label}'`);

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
  if ([e.sessionId, e.userId, e.email, e.uuid].includes(OVERSIZE)) return { ok: false, reason: 'oversize_id' };

  const canonicalUrl = canonicalizeUrl(e.currentUrl, e.pathname);
  const where = canonicalUrl ? ` on ${canonicalUrl}` : '';
  const base = {
    sessionId: e.sessionId,
    eventId: e.uuid,
    userId: e.userId,
    email: e.email,
    canonicalUrl,
    rawUrl: e.currentUrl.length > MAX_URL_CHARS ? copyString(e.currentUrl.slice(0, MAX_URL_CHARS)) : e.currentUrl,
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
      const { label: l, tag, described } = elementLabel(e, 'click');
      const what = l ? quote(l, described) : tagNoun(tag) || 'an element';
      return done('rageclick', `Rage-clicked ${what}`, `User clicked ${what} repeatedly in frustration${where}`);
    }
    case '$autocapture':
      break;
    default:
      // A company's own tracked events (e.g. "Project created") are deliberate, high-signal milestones.
      return done('custom', label(e.name), `User triggered ${label(e.name)}${where}`);
  }

  if (e.eventType === 'click' || e.eventType === 'touch' || e.eventType === '') {
    const { label: l, tag, described } = elementLabel(e, 'click');
    if (!l && !tagNoun(tag)) return { ok: false, reason: 'no_label' };
    const what = l ? quote(l, described) : tagNoun(tag);
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
