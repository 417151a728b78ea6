import type { IssueSink } from '../issues';
import type { TriggerKind, TriggerMatch } from '../proactive.types';
import type { ViewFacts } from '../view-facts';

/**
 * A built-in behaviour detector. `compile` validates the rule author's params
 * once at load (reporting problems by path) and returns what `evaluate` needs;
 * `evaluate` is pure and runs on every stored batch and every pulse.
 */
export interface TriggerDefinition<C> {
  kind: TriggerKind;
  compile(raw: unknown, issue: IssueSink): C | null;
  evaluate(compiled: C, facts: ViewFacts): TriggerMatch | null;
  /**
   * Seconds after a session's last activity during which this trigger can still
   * newly fire; past it the pulse can skip the session.
   */
  horizonSeconds(compiled: C): number;
  /** True when matches carry their own message (a rule using it may omit `message`). */
  suppliesMessage?: boolean;
}

/** Evidence shown in decisions stays small whatever the trigger saw. */
export const MAX_TRIGGER_EVIDENCE = 10;

export function lastN<T>(items: readonly T[], n = MAX_TRIGGER_EVIDENCE): T[] {
  return items.length <= n ? [...items] : items.slice(items.length - n);
}
