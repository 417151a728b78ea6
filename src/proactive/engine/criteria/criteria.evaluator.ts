import type { ConditionKind, TriggerMatch } from '../proactive.types';
import { matchesAny } from '../text/glob';
import type { ViewFacts } from '../view-facts';
import type { CriteriaNode } from './criteria.types';

export interface CriteriaMatch {
  /** Trigger matches in tree order; the first one is the rule's primary evidence. */
  triggers: TriggerMatch[];
  /** Conditions that held, in tree order (names the trigger of a rule made only of conditions). */
  conditions: ConditionKind[];
}

export function evaluateCriteria(node: CriteriaNode, facts: ViewFacts): CriteriaMatch | null {
  const out: CriteriaMatch = { triggers: [], conditions: [] };
  return holds(node, facts, out) ? out : null;
}

function holds(node: CriteriaNode, facts: ViewFacts, out: CriteriaMatch): boolean {
  switch (node.kind) {
    case 'all': {
      const t = out.triggers.length;
      const c = out.conditions.length;
      for (const child of node.children) {
        if (!holds(child, facts, out)) {
          out.triggers.length = t;
          out.conditions.length = c;
          return false;
        }
      }
      return true;
    }
    case 'any':
      for (const child of node.children) if (holds(child, facts, out)) return true;
      return false;
    case 'not':
      return !holds(node.child, facts, { triggers: [], conditions: [] });
    case 'trigger': {
      const m = node.definition.evaluate(node.params, facts);
      if (m) out.triggers.push(m);
      return m !== null;
    }
    case 'url_matches':
      return condition(out, 'url_matches', !!facts.current?.page && matchesAny(node.globs, facts.current.page));
    case 'title_matches':
      return condition(out, 'title_matches', !!facts.current && node.regex.test(facts.current.title));
    case 'user_property': {
      const v = facts.view.userProperties?.[node.name];
      // Compared as text so `equals: 1` in YAML matches a property sent as "1".
      return condition(out, 'user_property', v !== undefined && String(v) === String(node.equals));
    }
  }
}

function condition(out: CriteriaMatch, kind: ConditionKind, ok: boolean): boolean {
  if (ok) out.conditions.push(kind);
  return ok;
}
