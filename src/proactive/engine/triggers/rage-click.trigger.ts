import { z } from 'zod';
import { parseWith } from '../issues';
import type { TriggerMatch } from '../proactive.types';
import { matchesAny } from '../text/glob';
import { actionsSince, type ActionFact } from '../view-facts';
import type { TriggerDefinition } from './trigger.types';
import { lastN } from './trigger.types';
import { compileGlobs, DAY_SECONDS, globsParam, intParam, numberParam, stringList } from './trigger-params';

const schema = z.strictObject({
  clicks: intParam(2, 100, 4),
  burst_seconds: numberParam(0.1, 600, 5),
  recent_seconds: intParam(1, DAY_SECONDS, 60),
  rageclick_types: stringList(['rageclick']),
  click_types: stringList(['click']),
  url: globsParam.optional(),
});

export interface RageClickParams {
  clicks: number;
  burstMs: number;
  recentMs: number;
  rageTypes: ReadonlySet<string>;
  clickTypes: ReadonlySet<string>;
  urls: RegExp[];
}

/**
 * Frustration clicking: a `rageclick` action (PostHog detects those in the
 * browser), or `clicks` clicks on the same label and page within
 * `burst_seconds`. Only bursts that ended within `recent_seconds` count.
 */
export const rageClickTrigger: TriggerDefinition<RageClickParams> = {
  kind: 'rage_click',
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    const urls = compileGlobs(p.url, 'url', issue);
    if (!urls) return null;
    const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase().replace(/^\$/u, '')));
    return {
      clicks: p.clicks,
      burstMs: p.burst_seconds * 1000,
      recentMs: p.recent_seconds * 1000,
      rageTypes: lower(p.rageclick_types),
      clickTypes: lower(p.click_types),
      urls,
    };
  },
  evaluate(c, facts) {
    const recent = actionsSince(facts, facts.now - c.recentMs - c.burstMs).filter(
      (f) => f.page !== '' && (c.urls.length === 0 || matchesAny(c.urls, f.page)),
    );
    for (let i = recent.length - 1; i >= 0; i--) {
      const f = recent[i];
      if (c.rageTypes.has(f.type) && facts.now - f.at <= c.recentMs) return match(f, [f]);
    }
    return clickBurst(c, recent, facts.now);
  },
  horizonSeconds: (c) => (c.recentMs + c.burstMs) / 1000,
};

function clickBurst(c: RageClickParams, recent: readonly ActionFact[], now: number): TriggerMatch | null {
  const byKind = new Map<string, ActionFact[]>();
  let best: ActionFact[] | undefined;
  for (const f of recent) {
    if (!c.clickTypes.has(f.type) || !f.label) continue;
    const key = `${f.label}\u0000${f.page}`;
    let clicks = byKind.get(key);
    if (!clicks) byKind.set(key, (clicks = []));
    clicks.push(f);
    while (f.at - clicks[0].at > c.burstMs) clicks.shift();
    if (clicks.length >= c.clicks && now - f.at <= c.recentMs) best = [...clicks];
  }
  return best ? match(best[best.length - 1], best) : null;
}

function match(last: ActionFact, burst: readonly ActionFact[]): TriggerMatch {
  return {
    trigger: 'rage_click',
    page: last.page,
    scope: last.page,
    label: last.display || undefined,
    evidence: lastN(burst.map((f) => f.action)),
  };
}
