import type { ProactiveAction, SessionView } from './proactive.types';
import { displayLabel, labelKey, normaliseType, pageKey, pageNameFromTitle, humanisePath, MAX_MATCH_INPUT } from './text/action-text';

/** An action with the keys every trigger compares on, computed once per evaluation. */
export interface ActionFact {
  action: ProactiveAction;
  /** Epoch ms, clamped to the evaluation's `now`. */
  at: number;
  type: string;
  page: string;
  /** Comparison key of the label ("edit"); '' when the title has none. */
  label: string;
  /** Readable label ("Edit"). */
  display: string;
  /** Bounded title used by regex matchers. */
  title: string;
}

/** A run of consecutive actions on one page (A→B→B→A is three visits). */
export interface Visit {
  page: string;
  facts: ActionFact[];
}

export interface ViewFacts {
  view: SessionView;
  now: number;
  actions: ActionFact[];
  /** The latest action, if any. */
  current?: ActionFact;
}

export function factsOf(view: SessionView, now: number): ViewFacts {
  const actions = view.actions.map((action): ActionFact => {
    const title = action.title.length > MAX_MATCH_INPUT ? action.title.slice(0, MAX_MATCH_INPUT) : action.title;
    const labels = cached(labelCache, title, labelsOf);
    return {
      action,
      at: Math.min(action.at, now),
      type: cached(typeCache, action.type, normaliseType),
      page: cached(pageCache, action.canonicalUrl, pageKey),
      label: labels.label,
      display: labels.display,
      title,
    };
  });
  return { view, now, actions, current: actions[actions.length - 1] };
}

/**
 * Titles and URLs repeat across sessions ("Clicked 'Edit'" on "/projects/:id"),
 * and every evaluation re-reads the whole session, so their normalised forms
 * are memoised. Emptied when full: bounded whatever the input.
 */
const CACHE_MAX = 20_000;
const labelCache = new Map<string, { label: string; display: string }>();
const pageCache = new Map<string, string>();
const typeCache = new Map<string, string>();

const labelsOf = (title: string) => ({ label: labelKey(title), display: displayLabel(title) });

function cached<V>(cache: Map<string, V>, key: string, make: (key: string) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    v = make(key);
    cache.set(key, v);
  }
  return v;
}

/** Actions at or after `from` (epoch ms); actions are oldest first, so this is a suffix. */
export function actionsSince(facts: ViewFacts, from: number): ActionFact[] {
  const all = facts.actions;
  let i = all.length;
  while (i > 0 && all[i - 1].at >= from) i--;
  return i === 0 ? all : all.slice(i);
}

/** Consecutive actions on the same page collapsed into one visit; actions without a page are skipped. */
export function visitsOf(actions: readonly ActionFact[]): Visit[] {
  const visits: Visit[] = [];
  for (const f of actions) {
    if (!f.page) continue;
    const last = visits[visits.length - 1];
    if (last && last.page === f.page) last.facts.push(f);
    else visits.push({ page: f.page, facts: [f] });
  }
  return visits;
}

/** A page's name for messages: its latest pageview title, else a humanised path. */
export function pageName(facts: ViewFacts, page: string): string {
  for (let i = facts.actions.length - 1; i >= 0; i--) {
    const f = facts.actions[i];
    if (f.page === page && f.type === 'pageview') {
      const name = pageNameFromTitle(f.title);
      if (name) return name;
    }
  }
  return humanisePath(page);
}
