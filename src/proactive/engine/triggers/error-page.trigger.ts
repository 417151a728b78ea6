import { z } from 'zod';
import { parseWith } from '../issues';
import { matchesAny } from '../text/glob';
import { actionsSince } from '../view-facts';
import type { TriggerDefinition } from './trigger.types';
import { compileGlobs, compileRegexParam, DAY_SECONDS, intParam, regexParam } from './trigger-params';

export const DEFAULT_ERROR_URLS = ['**/404', '**/500', '**/error', '**/error/**', '**/errors/**', '**/not-found'];
export const DEFAULT_ERROR_TITLE = '\\b(error|failed|failure|not found|something went wrong)\\b';
/** Button labels such as "Error log" are navigation, not failures. */
const DEFAULT_IGNORED_TITLE_TYPES = ['click', 'rageclick'];

const schema = z.strictObject({
  url_patterns: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of globs' }).max(20).default(DEFAULT_ERROR_URLS),
  title_pattern: regexParam.nullable().default(DEFAULT_ERROR_TITLE),
  title_types: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of action types' }).max(20).optional(),
  within_seconds: intParam(1, DAY_SECONDS, 60),
});

export interface ErrorPageParams {
  urls: RegExp[];
  title?: RegExp;
  /** When set, only these types' titles are checked; otherwise every type but clicks. */
  titleTypes?: ReadonlySet<string>;
  withinMs: number;
}

/** The user landed on an error page, or an action's title reports a failure, within `within_seconds`. */
export const errorPageTrigger: TriggerDefinition<ErrorPageParams> = {
  kind: 'error_page',
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    const urls = compileGlobs(p.url_patterns, 'url_patterns', issue);
    const title = compileRegexParam(p.title_pattern, 'title_pattern', issue);
    if (!urls || title === null) return null;
    return {
      urls,
      title,
      titleTypes: p.title_types ? new Set(p.title_types.map((t) => t.toLowerCase())) : undefined,
      withinMs: p.within_seconds * 1000,
    };
  },
  evaluate(c, facts) {
    const recent = actionsSince(facts, facts.now - c.withinMs);
    for (let i = recent.length - 1; i >= 0; i--) {
      const f = recent[i];
      const byUrl = f.page !== '' && matchesAny(c.urls, f.page);
      const titleChecked = c.titleTypes ? c.titleTypes.has(f.type) : !DEFAULT_IGNORED_TITLE_TYPES.includes(f.type);
      const byTitle = !byUrl && c.title !== undefined && titleChecked && c.title.test(f.title);
      if (byUrl || byTitle) {
        return { trigger: 'error_page', page: f.page, scope: f.page, label: f.display || undefined, evidence: [f.action] };
      }
    }
    return null;
  },
  horizonSeconds: (c) => c.withinMs / 1000,
};
