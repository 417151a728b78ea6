import { z } from 'zod';
import type { IssueSink } from '../issues';
import { compileGlob } from '../text/glob';
import { compileUserRegex } from '../text/safe-regex';

/** Integer with a default; messages follow the house form "must be an integer >= 2". */
export function intParam(min: number, max: number, def: number) {
  const low = `must be an integer >= ${min}`;
  return z
    .number({ error: low })
    .int({ error: low })
    .min(min, { error: low })
    .max(max, { error: `must be an integer <= ${max}` })
    .default(def);
}

export function numberParam(min: number, max: number, def: number) {
  const low = `must be a number >= ${min}`;
  return z.number({ error: low }).min(min, { error: low }).max(max, { error: `must be a number <= ${max}` }).default(def);
}

export const boolParam = (def: boolean) => z.boolean({ error: 'must be true or false' }).default(def);

export const stringList = (def: string[]) =>
  z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }), {
    error: 'must be a list of strings',
  }).max(20, { error: 'must have at most 20 entries' }).default(def);

/** One glob or a non-empty list of globs. */
export const globsParam = z.union([z.string(), z.array(z.string()).min(1).max(20)], {
  error: 'must be a glob such as "/projects/**" or a list of globs',
});

export const regexParam = z.string({ error: 'must be a regular expression (a string)' });

/** Seconds in a day: the longest window any built-in looks back over. */
export const DAY_SECONDS = 86_400;

export function compileGlobs(raw: string | string[] | undefined, path: string, issue: IssueSink): RegExp[] | null {
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  const out: RegExp[] = [];
  let ok = true;
  list.forEach((g, i) => {
    const r = compileGlob(g);
    if (r.ok) out.push(r.regex);
    else {
      ok = false;
      issue(typeof raw === 'string' ? path : `${path}[${i}]`, r.message);
    }
  });
  return ok ? out : null;
}

export function compileRegexParam(raw: string | undefined | null, path: string, issue: IssueSink): RegExp | null | undefined {
  if (raw === undefined || raw === null) return undefined;
  const r = compileUserRegex(raw);
  if (r.ok) return r.regex;
  issue(path, r.message);
  return null;
}

/**
 * "Getting something done": a submit, or a click whose label starts with a
 * committing verb. Ping-pong ignores bouncing that ends in progress, and a
 * repeated loop only counts when it contains some.
 */
export const DEFAULT_PROGRESS_TYPES = ['submit'];
export const DEFAULT_PROGRESS_LABELS =
  '^(save|create|add|update|submit|confirm|apply|send|publish|delete|remove|invite|upload|import|pay|upgrade|done|finish)\\b';

export const progressParams = {
  progress_types: stringList(DEFAULT_PROGRESS_TYPES),
  progress_labels: regexParam.nullable().default(DEFAULT_PROGRESS_LABELS),
};

export interface ProgressMatcher {
  types: ReadonlySet<string>;
  labels?: RegExp;
}

export function compileProgress(
  raw: { progress_types: string[]; progress_labels: string | null },
  issue: IssueSink,
): ProgressMatcher | null {
  const labels = compileRegexParam(raw.progress_labels, 'progress_labels', issue);
  if (labels === null) return null;
  return { types: new Set(raw.progress_types.map((t) => t.toLowerCase())), labels };
}

export function isProgress(p: ProgressMatcher, fact: { type: string; display: string }): boolean {
  if (p.types.has(fact.type)) return true;
  // A page called "Add project" is a destination, not an achievement.
  return fact.type !== 'pageview' && p.labels !== undefined && fact.display !== '' && p.labels.test(fact.display);
}
