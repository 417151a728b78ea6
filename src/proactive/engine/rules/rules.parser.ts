import { z } from 'zod';
import type { ProactiveConfig } from '../config';
import { criteriaHorizonSeconds, parseCriteria, triggersIn } from '../criteria/criteria.parser';
import { nested, parseWith, type IssueSink } from '../issues';
import { parseTemplate } from '../text/message-template';
import { TRIGGER_CATALOG } from '../triggers/trigger-catalog';
import { DAY_SECONDS, boolParam, intParam, numberParam } from '../triggers/trigger-params';
import { DEFAULT_RULES_DOCUMENT } from './default-rules.document';
import { MAX_QUICK_REPLIES, MAX_QUICK_REPLY_LENGTH, quickReply } from './quick-replies';
import type { ProactiveRule, RulesParseResult } from './rule.types';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/u;
const MAX_RULES = 200;

const quickReplySchema = z.union(
  [
    z.string(),
    z.strictObject({ label: z.string({ error: 'must be a string' }), decline: z.boolean({ error: 'must be true or false' }).optional() }),
  ],
  { error: 'must be a label or { label, decline }' },
);

const ruleSchema = z.strictObject({
  id: z
    .string({ error: 'required: a name such as "bulk-edit-offer"' })
    .regex(ID_PATTERN, { error: 'must be 1-64 letters, digits, "-", "_" or "." starting with a letter or digit' }),
  description: z.string({ error: 'must be a string' }).max(500, { error: 'must be at most 500 characters' }).optional(),
  enabled: boolParam(true),
  priority: intParam(-1_000, 1_000, 0),
  criteria: z.unknown(),
  message: z.string({ error: 'must be a string' }).optional(),
  quick_replies: z
    .array(quickReplySchema, { error: 'must be a list of labels' })
    .max(MAX_QUICK_REPLIES, { error: `must have at most ${MAX_QUICK_REPLIES} entries` })
    .default([]),
  cooldown_seconds: intParam(0, 7 * DAY_SECONDS, 900),
  mode: z.enum(['template', 'llm'], { error: 'must be "template" or "llm"' }).default('template'),
  intent: z.string({ error: 'must be a string' }).min(1).max(500, { error: 'must be at most 500 characters' }).optional(),
  judge: boolParam(false),
});

/** Settings have no defaults here: what is left out falls through to DEFAULT_PROACTIVE_CONFIG. */
const optionalInt = (min: number, max: number) => intParam(min, max, min).unwrap().optional();
const seconds = (min: number) => optionalInt(min, 30 * DAY_SECONDS);
const settingsSchema = z.strictObject({
  mode: z.enum(['live', 'shadow'], { error: 'must be "live" or "shadow"' }).optional(),
  min_interval_seconds: seconds(0),
  max_per_user_per_day: optionalInt(0, 1_000),
  max_per_product_per_minute: optionalInt(0, 1_000_000),
  interaction_timeout_seconds: seconds(1),
  reactive_timeout_seconds: seconds(1),
  cooldown_seconds: seconds(0),
  cooldown_growth: numberParam(1, 10, 2).unwrap().optional(),
  max_cooldown_seconds: seconds(0),
  max_dismissals_per_session: optionalInt(1, 100),
  max_nudges_per_session: optionalInt(1, 1_000),
  pulse_seconds: optionalInt(1, 3_600),
  idle_horizon_seconds: seconds(1),
});

const documentSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1' }).optional(),
  extends: z.enum(['defaults'], { error: 'must be "defaults" (or left out)' }).optional(),
  settings: z.unknown().optional(),
  rules: z.array(z.unknown(), { error: 'must be a list of rules' }).max(MAX_RULES, { error: `must have at most ${MAX_RULES} rules` }).default([]),
});

/**
 * Validates a parsed rules document (from YAML or JSON) and compiles it. Every
 * problem is reported, each naming the rule (by id, or by index when the id
 * itself is unusable) and the field: `rule "bulk-edit-offer": criteria.all[1].repeated_action.count: must be an integer >= 2`.
 */
export function parseRulesDocument(doc: unknown, source: string): RulesParseResult {
  const errors: string[] = [];
  const top: IssueSink = (path, message) => errors.push(path ? `${path}: ${message}` : message);
  const d = parseWith(documentSchema, doc ?? {}, top);
  if (!d) return { ok: false, errors };

  const settings = d.settings === undefined ? {} : parseSettings(d.settings, nested(top, 'settings'));
  const rules: { rule: ProactiveRule; enabled: boolean }[] = [];
  if (d.extends === 'defaults') {
    const base = parseRulesDocument(DEFAULT_RULES_DOCUMENT, 'defaults');
    if (!base.ok) throw new Error(`default rules are invalid: ${base.errors.join('; ')}`);
    rules.push(...base.ruleSet.rules.map((rule) => ({ rule, enabled: true })));
  }
  const seen = new Map<string, number>();
  d.rules.forEach((raw, index) => {
    const name = ruleName(raw, index);
    const rule = parseRule(raw, (path, message) => errors.push(path ? `${name}: ${path}: ${message}` : `${name}: ${message}`));
    if (!rule) return;
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) {
      errors.push(`${name}: id: duplicate (also used by rules[${earlier}])`);
      return;
    }
    seen.set(rule.id, index);
    // A file rule with a default rule's id replaces it.
    const replaced = rules.findIndex((r) => r.rule.id === rule.id);
    if (replaced >= 0) rules.splice(replaced, 1);
    rules.push({ rule: rule.rule, enabled: rule.enabled });
  });
  if (errors.length === 0 && rules.length === 0 && d.rules.length === 0) {
    errors.push('rules: must list at least one rule (or set `extends: defaults`)');
  }
  if (errors.length > 0 || settings === null) return { ok: false, errors };
  const enabled = rules.map((r, i) => ({ ...r, i })).filter((r) => r.enabled);
  enabled.sort((a, b) => b.rule.priority - a.rule.priority || a.i - b.i);
  return { ok: true, ruleSet: { rules: enabled.map((r) => r.rule), settings, source } };
}

function ruleName(raw: unknown, index: number): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && ID_PATTERN.test(id) ? `rule "${id}"` : `rules[${index}]`;
}

interface ParsedRule {
  id: string;
  enabled: boolean;
  rule: ProactiveRule;
}

function parseRule(raw: unknown, issue: IssueSink): ParsedRule | null {
  const r = parseWith(ruleSchema, raw, issue);
  if (!r) return null;
  if (r.criteria === undefined) {
    issue('criteria', 'required');
    return null;
  }
  const criteria = parseCriteria(r.criteria, 'criteria', issue);
  let ok = criteria !== null;

  const triggers = criteria ? triggersIn(criteria) : [];
  let message;
  if (r.message !== undefined) {
    const t = parseTemplate(r.message);
    if (t.ok) message = t.template;
    else {
      issue('message', t.message);
      ok = false;
    }
  } else if (criteria && !triggers.some((k) => TRIGGER_CATALOG[k].suppliesMessage)) {
    issue('message', 'required (only rules with a section_playbook trigger may leave it out)');
    ok = false;
  }

  const quickReplies = r.quick_replies.map((q) => (typeof q === 'string' ? quickReply(q) : quickReply(q.label, q.decline)));
  const seenLabels = new Set<string>();
  quickReplies.forEach((q, i) => {
    const key = q.label.toLowerCase();
    if (q.label === '') issue(`quick_replies[${i}]`, 'must not be empty');
    else if (q.label.length > MAX_QUICK_REPLY_LENGTH) issue(`quick_replies[${i}]`, `must be at most ${MAX_QUICK_REPLY_LENGTH} characters`);
    else if (seenLabels.has(key)) issue(`quick_replies[${i}]`, `duplicate label "${q.label}"`);
    else {
      seenLabels.add(key);
      return;
    }
    ok = false;
  });

  if (r.mode === 'llm' && !r.intent) {
    issue('intent', 'required when mode is "llm" (the model writes the nudge from it)');
    ok = false;
  }
  if (!ok || !criteria) return null;
  return {
    id: r.id,
    enabled: r.enabled,
    rule: {
      id: r.id,
      description: r.description,
      priority: r.priority,
      criteria,
      message,
      quickReplies,
      cooldownSeconds: r.cooldown_seconds,
      mode: r.mode,
      intent: r.intent,
      judge: r.judge,
      triggers,
      horizonSeconds: criteriaHorizonSeconds(criteria),
    },
  };
}

function parseSettings(raw: unknown, issue: IssueSink): Partial<ProactiveConfig> | null {
  const s = parseWith(settingsSchema, raw, issue);
  if (!s) return null;
  return {
    mode: s.mode,
    minIntervalSeconds: s.min_interval_seconds,
    maxPerUserPerDay: s.max_per_user_per_day,
    maxPerProductPerMinute: s.max_per_product_per_minute,
    interactionTimeoutSeconds: s.interaction_timeout_seconds,
    reactiveTimeoutSeconds: s.reactive_timeout_seconds,
    cooldownSeconds: s.cooldown_seconds,
    cooldownGrowth: s.cooldown_growth,
    maxCooldownSeconds: s.max_cooldown_seconds,
    maxDismissalsPerSession: s.max_dismissals_per_session,
    maxNudgesPerSession: s.max_nudges_per_session,
    pulseSeconds: s.pulse_seconds,
    idleHorizonSeconds: s.idle_horizon_seconds,
  };
}
