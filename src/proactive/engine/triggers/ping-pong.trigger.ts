import { z } from 'zod';
import { parseWith } from '../issues';
import { matchesAny } from '../text/glob';
import { actionsSince, visitsOf, type ActionFact, type Visit } from '../view-facts';
import type { TriggerDefinition } from './trigger.types';
import { lastN } from './trigger.types';
import {
  boolParam,
  compileGlobs,
  compileProgress,
  DAY_SECONDS,
  globsParam,
  intParam,
  isProgress,
  progressParams,
  type ProgressMatcher,
} from './trigger-params';

const schema = z.strictObject({
  min_cycles: intParam(1, 50, 3),
  within_seconds: intParam(1, DAY_SECONDS, 120),
  url: globsParam.optional(),
  exclude_progress: boolParam(true),
  ...progressParams,
});

export interface PingPongParams {
  minCycles: number;
  withinMs: number;
  urls: RegExp[];
  excludeProgress: boolean;
  progress: ProgressMatcher;
}

/**
 * Back and forth between two pages. Consecutive actions on one page are one
 * visit, so A→B→B→A is a cycle however much the user clicked on B (the
 * reference implementation missed that). A cycle is a return: A→B→A is one,
 * A→B→A→B two. Cycles are counted per pair of pages. With `exclude_progress`
 * only the bouncing after the user last got something done counts: a person
 * saving one project after another also goes back and forth, but is not lost.
 */
export const pingPongTrigger: TriggerDefinition<PingPongParams> = {
  kind: 'ping_pong',
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    const urls = compileGlobs(p.url, 'url', issue);
    const progress = compileProgress(p, issue);
    if (!urls || !progress) return null;
    return { minCycles: p.min_cycles, withinMs: p.within_seconds * 1000, urls, excludeProgress: p.exclude_progress, progress };
  },
  evaluate(c, facts) {
    let recent: readonly ActionFact[] = actionsSince(facts, facts.now - c.withinMs);
    if (c.excludeProgress) recent = afterLastProgress(c.progress, recent);
    const visits = visitsOf(recent);
    if (visits.length < 3) return null;
    const cycles = new Map<string, number>();
    let best: { key: string; count: number; at: number } | undefined;
    for (let i = 0; i + 2 < visits.length; i++) {
      const a = visits[i].page;
      const b = visits[i + 1].page;
      if (a !== visits[i + 2].page) continue;
      if (c.urls.length > 0 && !matchesAny(c.urls, a) && !matchesAny(c.urls, b)) continue;
      const key = a < b ? `${a} <-> ${b}` : `${b} <-> ${a}`;
      const count = (cycles.get(key) ?? 0) + 1;
      cycles.set(key, count);
      if (count >= c.minCycles && (!best || count >= best.count)) best = { key, count, at: i + 2 };
    }
    if (!best) return null;
    const current = visits[best.at];
    const other = visits[best.at - 1];
    return {
      trigger: 'ping_pong',
      page: current.page,
      scope: best.key,
      otherPage: other.page,
      label: other.page,
      evidence: lastN(pairVisits(visits, current.page, other.page).map((v) => v.facts[0].action)),
    };
  },
  horizonSeconds: (c) => c.withinMs / 1000,
};

function afterLastProgress(progress: ProgressMatcher, actions: readonly ActionFact[]): readonly ActionFact[] {
  for (let i = actions.length - 1; i >= 0; i--) if (isProgress(progress, actions[i])) return actions.slice(i + 1);
  return actions;
}

function pairVisits(visits: readonly Visit[], a: string, b: string): Visit[] {
  return visits.filter((v) => v.page === a || v.page === b);
}
