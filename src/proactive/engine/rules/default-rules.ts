import { DEFAULT_RULES_DOCUMENT } from './default-rules.document';
import type { RuleSet } from './rule.types';
import { parseRulesDocument } from './rules.parser';

let cached: RuleSet | undefined;

/** The built-in rules (see default-rules.document.ts); compiled once, shared read-only. */
export function defaultRules(): RuleSet {
  if (!cached) {
    const r = parseRulesDocument(DEFAULT_RULES_DOCUMENT, 'defaults');
    if (!r.ok) throw new Error(`default rules are invalid: ${r.errors.join('; ')}`);
    cached = r.ruleSet;
  }
  return cached;
}
