import { z } from 'zod';
import { joinPath, nested, parseWith, type IssueSink } from '../issues';
import { TRIGGER_KINDS, type TriggerKind } from '../proactive.types';
import { compileUserRegex } from '../text/safe-regex';
import { TRIGGER_CATALOG } from '../triggers/trigger-catalog';
import { compileGlobs, globsParam } from '../triggers/trigger-params';
import { CONDITION_KEYS, GROUP_KEYS, type CriteriaNode } from './criteria.types';

const MAX_DEPTH = 6;
const MAX_CHILDREN = 20;
const KNOWN_KEYS = [...GROUP_KEYS, ...CONDITION_KEYS, ...TRIGGER_KINDS];

const userPropertySchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(100),
  equals: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or true/false' }),
});

/**
 * Criteria are an AND/OR tree: `{ all: [...] }`, `{ any: [...] }`, `{ not: … }`,
 * or a leaf with exactly one key (a trigger with its params, or a condition).
 * Problems are reported with their full path, e.g. `criteria.all[1].repeated_action.count`.
 */
export function parseCriteria(raw: unknown, path: string, issue: IssueSink, depth = 0): CriteriaNode | null {
  if (depth > MAX_DEPTH) {
    issue(path, `nested too deeply (at most ${MAX_DEPTH} levels)`);
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issue(path, `must be an object with one key: ${KNOWN_KEYS.join(', ')}`);
    return null;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    issue(path, keys.length === 0 ? `must have one key: ${KNOWN_KEYS.join(', ')}` : `must have exactly one key, found ${keys.join(', ')}`);
    return null;
  }
  const key = keys[0];
  const value = (raw as Record<string, unknown>)[key];
  const at = joinPath(path, key);
  switch (key) {
    case 'all':
    case 'any':
      return parseGroup(key, value, at, issue, depth);
    case 'not': {
      const child = parseCriteria(value, at, issue, depth + 1);
      return child && { kind: 'not', child };
    }
    case 'url_matches': {
      const globs = parseWith(globsParam, value, nested(issue, at));
      const compiled = globs === null ? null : compileGlobs(globs, '', nested(issue, at));
      return compiled && { kind: 'url_matches', globs: compiled };
    }
    case 'title_matches': {
      if (typeof value !== 'string') {
        issue(at, 'must be a regular expression (a string)');
        return null;
      }
      const r = compileUserRegex(value);
      if (!r.ok) {
        issue(at, r.message);
        return null;
      }
      return { kind: 'title_matches', regex: r.regex };
    }
    case 'user_property': {
      const p = parseWith(userPropertySchema, value, nested(issue, at));
      return p && { kind: 'user_property', name: p.name, equals: p.equals };
    }
    default:
      if ((TRIGGER_KINDS as readonly string[]).includes(key)) return parseTrigger(key as TriggerKind, value, at, issue);
      issue(at, `unknown criterion (expected one of: ${KNOWN_KEYS.join(', ')})`);
      return null;
  }
}

function parseGroup(kind: 'all' | 'any', value: unknown, at: string, issue: IssueSink, depth: number): CriteriaNode | null {
  if (!Array.isArray(value) || value.length === 0) {
    issue(at, 'must be a non-empty list of criteria');
    return null;
  }
  if (value.length > MAX_CHILDREN) {
    issue(at, `must have at most ${MAX_CHILDREN} entries`);
    return null;
  }
  const children = value.map((child, i) => parseCriteria(child, `${at}[${i}]`, issue, depth + 1));
  if (children.some((c) => c === null)) return null;
  const nodes = children as CriteriaNode[];
  // Conditions are cheap and cannot supply evidence; checking them first lets an AND stop early.
  const ordered = kind === 'all' ? [...nodes.filter(isCondition), ...nodes.filter((n) => !isCondition(n))] : nodes;
  return { kind, children: ordered };
}

function parseTrigger(trigger: TriggerKind, value: unknown, at: string, issue: IssueSink): CriteriaNode | null {
  const definition = TRIGGER_CATALOG[trigger];
  // `- page_dwell:` in YAML (no params) means "with the defaults".
  const params = definition.compile(value ?? {}, nested(issue, at));
  return params === null ? null : { kind: 'trigger', trigger, definition, params };
}

const isCondition = (n: CriteriaNode) => n.kind === 'url_matches' || n.kind === 'title_matches' || n.kind === 'user_property';

/** Triggers anywhere in the tree, outside `not` (a negated trigger never supplies evidence). */
export function triggersIn(node: CriteriaNode): TriggerKind[] {
  switch (node.kind) {
    case 'all':
    case 'any':
      return node.children.flatMap(triggersIn);
    case 'trigger':
      return [node.trigger];
    default:
      return [];
  }
}

/** Seconds after the last activity during which the tree can still newly match (Infinity when a condition alone can). */
export function criteriaHorizonSeconds(node: CriteriaNode): number {
  switch (node.kind) {
    case 'all':
      return Math.min(...node.children.map(criteriaHorizonSeconds));
    case 'any':
      return Math.max(...node.children.map(criteriaHorizonSeconds));
    case 'trigger':
      return node.definition.horizonSeconds(node.params);
    default:
      return Infinity;
  }
}
