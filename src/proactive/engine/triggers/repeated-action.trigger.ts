import { z } from 'zod';
import { parseWith } from '../issues';
import type { TriggerMatch } from '../proactive.types';
import { matchesAny } from '../text/glob';
import { actionsSince, visitsOf, type ActionFact } from '../view-facts';
import type { TriggerDefinition } from './trigger.types';
import { lastN } from './trigger.types';
import {
  compileGlobs,
  compileProgress,
  compileRegexParam,
  DAY_SECONDS,
  globsParam,
  intParam,
  isProgress,
  numberParam,
  progressParams,
  regexParam,
  stringList,
  type ProgressMatcher,
} from './trigger-params';

const schema = z.strictObject({
  count: intParam(2, 50, 3),
  within_seconds: intParam(1, DAY_SECONDS, 300),
  match: z.enum(['action', 'loop', 'either'], { error: 'must be "action", "loop" or "either"' }).default('either'),
  types: stringList(['click', 'submit']),
  url: globsParam.optional(),
  label: regexParam.optional(),
  min_gap_seconds: numberParam(0, 3_600, 2),
  ...progressParams,
});

export interface RepeatedActionParams {
  count: number;
  withinMs: number;
  match: 'action' | 'loop' | 'either';
  types: ReadonlySet<string>;
  urls: RegExp[];
  label?: RegExp;
  minGapMs: number;
  progress: ProgressMatcher;
}

/**
 * "The same kind of action on the same kind of page, N times within T seconds".
 * Two ways to be the same (param `match`):
 *  - action: same type + normalised label + canonical page (`Clicked 'Edit'` on
 *    `/projects/:id` for three different projects);
 *  - loop: the same round trip away from a page and back that contains progress
 *    (`/projects` → `/projects/:id/edit` → "Save changes" → `/projects`), whatever
 *    the rows clicked along the way were called.
 * Clicks closer together than `min_gap_seconds` count once (that is rage_click's job).
 */
export const repeatedActionTrigger: TriggerDefinition<RepeatedActionParams> = {
  kind: 'repeated_action',
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    const urls = compileGlobs(p.url, 'url', issue);
    const label = compileRegexParam(p.label, 'label', issue);
    const progress = compileProgress(p, issue);
    if (!urls || label === null || !progress) return null;
    return {
      count: p.count,
      withinMs: p.within_seconds * 1000,
      match: p.match,
      types: new Set(p.types.map((t) => t.toLowerCase())),
      urls,
      label,
      minGapMs: p.min_gap_seconds * 1000,
      progress,
    };
  },
  evaluate(c, facts) {
    const recent = actionsSince(facts, facts.now - c.withinMs);
    if (recent.length < c.count) return null;
    if (c.match !== 'loop') {
      const m = repeatedActions(c, recent);
      if (m || c.match === 'action') return m;
    }
    return repeatedLoops(c, recent);
  },
  horizonSeconds: (c) => c.withinMs / 1000,
};

function repeatedActions(c: RepeatedActionParams, recent: readonly ActionFact[]): TriggerMatch | null {
  const groups = new Map<string, ActionFact[]>();
  let best: ActionFact[] | undefined;
  for (const f of recent) {
    if (!f.label || !f.page || !c.types.has(f.type)) continue;
    if (c.urls.length > 0 && !matchesAny(c.urls, f.page)) continue;
    if (c.label && !c.label.test(f.display)) continue;
    const key = `${f.type}\u0000${f.label}\u0000${f.page}`;
    let occurrences = groups.get(key);
    if (!occurrences) groups.set(key, (occurrences = []));
    const prev = occurrences[occurrences.length - 1];
    if (prev && f.at - prev.at < c.minGapMs) continue;
    occurrences.push(f);
    // The group that most recently reached the count is the one the user is in now.
    if (occurrences.length >= c.count) best = occurrences;
  }
  if (!best) return null;
  const last = best[best.length - 1];
  return {
    trigger: 'repeated_action',
    page: last.page,
    scope: last.page,
    label: last.display,
    evidence: lastN(best.map((f) => f.action)),
  };
}

interface LoopOccurrence {
  hub: string;
  commit: ActionFact;
  back: ActionFact;
}

function repeatedLoops(c: RepeatedActionParams, recent: readonly ActionFact[]): TriggerMatch | null {
  const visits = visitsOf(recent);
  const lastVisitOf = new Map<string, number>();
  const groups = new Map<string, LoopOccurrence[]>();
  let best: LoopOccurrence[] | undefined;
  for (let j = 0; j < visits.length; j++) {
    const page = visits[j].page;
    const i = lastVisitOf.get(page);
    lastVisitOf.set(page, j);
    if (i === undefined || j - i < 2) continue;
    const commit = firstProgressBetween(c.progress, visits, i + 1, j - 1);
    if (!commit || (c.label && !c.label.test(commit.display))) continue;
    const pages = visits.slice(i, j).map((v) => v.page);
    if (c.urls.length > 0 && !pages.some((p) => matchesAny(c.urls, p))) continue;
    const key = `${pages.join('>')}\u0000${commit.type}\u0000${commit.label}`;
    let occurrences = groups.get(key);
    if (!occurrences) groups.set(key, (occurrences = []));
    occurrences.push({ hub: page, commit, back: visits[j].facts[0] });
    if (occurrences.length >= c.count) best = occurrences;
  }
  if (!best) return null;
  const last = best[best.length - 1];
  return {
    trigger: 'repeated_action',
    page: last.hub,
    scope: last.hub,
    label: last.commit.display,
    evidence: lastN(best.flatMap((o) => [o.commit.action, o.back.action])),
  };
}

/** The first committing action names the loop: the "Save changes" click rather than the form submit it causes. */
function firstProgressBetween(
  progress: ProgressMatcher,
  visits: readonly { facts: ActionFact[] }[],
  from: number,
  to: number,
): ActionFact | undefined {
  for (let k = from; k <= to; k++) {
    for (const f of visits[k].facts) if (isProgress(progress, f)) return f;
  }
  return undefined;
}
