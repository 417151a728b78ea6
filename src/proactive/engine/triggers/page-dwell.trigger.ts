import { z } from 'zod';
import { parseWith } from '../issues';
import { matchesAny } from '../text/glob';
import type { TriggerDefinition } from './trigger.types';
import { lastN } from './trigger.types';
import { compileGlobs, DAY_SECONDS, globsParam, intParam } from './trigger-params';

const schema = z.strictObject({
  min_seconds: intParam(1, DAY_SECONDS, 90),
  max_actions: intParam(1, 1_000, 3),
  max_idle_seconds: intParam(1, DAY_SECONDS, 600),
  url: globsParam.optional(),
});

export interface PageDwellParams {
  minMs: number;
  maxActions: number;
  maxIdleMs: number;
  urls: RegExp[];
}

/**
 * On one page for at least `min_seconds` with at most `max_actions` actions.
 * Time on the page runs from the first action of the current streak up to
 * `now`, so the idle time after the last action counts ("landed, clicked once,
 * then idled five minutes" fires; the reference stopped the clock at the last
 * action). Past `max_idle_seconds` without any action the user has most likely
 * left the tab, so it no longer fires.
 */
export const pageDwellTrigger: TriggerDefinition<PageDwellParams> = {
  kind: 'page_dwell',
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    const urls = compileGlobs(p.url, 'url', issue);
    if (!urls) return null;
    return { minMs: p.min_seconds * 1000, maxActions: p.max_actions, maxIdleMs: p.max_idle_seconds * 1000, urls };
  },
  evaluate(c, facts) {
    const current = facts.current;
    if (!current || !current.page) return null;
    if (facts.now - current.at > c.maxIdleMs) return null;
    if (c.urls.length > 0 && !matchesAny(c.urls, current.page)) return null;
    const all = facts.actions;
    let start = all.length - 1;
    while (start > 0 && all[start - 1].page === current.page) {
      start--;
      if (all.length - start > c.maxActions) return null;
    }
    if (facts.now - all[start].at < c.minMs) return null;
    return {
      trigger: 'page_dwell',
      page: current.page,
      scope: current.page,
      evidence: lastN(all.slice(start).map((f) => f.action)),
    };
  },
  horizonSeconds: (c) => c.maxIdleMs / 1000,
};
