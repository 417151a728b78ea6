import { randomUUID } from 'node:crypto';
import { acquireCaps, type CapCounter } from './caps';
import { DEFAULT_PROACTIVE_CONFIG, type ProactiveConfig } from './config';
import { evaluateCriteria } from './criteria/criteria.evaluator';
import { draftDecision } from './decision.builder';
import type { CapSlot, DecisionReason, PendingNudge, ProactiveDecision, SessionView } from './proactive.types';
import type { RuleSet } from './rules/rule.types';
import {
  initialState,
  noteSuppression,
  onNudgeSent,
  ruleGate,
  sentKeyOf,
  sessionGate,
  tick,
  type SessionProactiveState,
} from './state/session-fsm';
import { factsOf } from './view-facts';

export interface EvaluateOptions {
  /** Defaults to DEFAULT_PROACTIVE_CONFIG. */
  config?: ProactiveConfig;
  /** Caps are skipped without it (pure use, e.g. a preview of what rules would fire). */
  caps?: CapCounter;
  /** Decision ids; random UUIDs by default. */
  newId?: () => string;
}

export interface Evaluation {
  /** Every rule that fired, in the order considered, each with its outcome. */
  decisions: ProactiveDecision[];
  /**
   * What belongs in the decision log now: suppressions (a repeat of the last one
   * logged for the same rule and scope is left out for a while) and shadow
   * decisions. A sent nudge is logged when its delivery is reported.
   */
  toLog: ProactiveDecision[];
  /** The nudge to deliver, if any (at most one per evaluation). */
  nudge?: PendingNudge;
  /** The state to store; the very same object as the input when nothing changed (nothing to write). */
  nextState: SessionProactiveState | null;
}

/**
 * One evaluation of one session: rules by priority, first rule that fires and
 * passes every gate wins. Per-rule gates (already sent here, the rule's own
 * cooldown) move on to the next rule; session-wide gates (reactive, cooldown,
 * max nudges, caps) stop, since they would stop any rule.
 */
export async function evaluate(
  view: SessionView,
  state: SessionProactiveState | null,
  rules: RuleSet,
  now: number,
  opts: EvaluateOptions = {},
): Promise<Evaluation> {
  const cfg = opts.config ?? DEFAULT_PROACTIVE_CONFIG;
  const newId = opts.newId ?? randomUUID;
  const ticked = state ? tick(state, now, cfg) : null;
  const decisions: ProactiveDecision[] = [];
  const toLog: ProactiveDecision[] = [];
  if (view.actions.length === 0) return { decisions, toLog, nextState: ticked };

  const facts = factsOf(view, now);
  let cur = ticked;
  let nudge: PendingNudge | undefined;
  const suppress = (s: SessionProactiveState, d: ProactiveDecision, sentKey: string, reason: DecisionReason) => {
    d.outcome = 'suppressed';
    d.reason = reason;
    decisions.push(d);
    const noted = noteSuppression(s, sentKey, reason, now, cfg.suppressionRelogSeconds);
    if (noted.log) toLog.push(d);
    return noted.state;
  };

  for (const rule of rules.rules) {
    const match = evaluateCriteria(rule.criteria, facts);
    if (!match) continue;
    const { decision, scope } = draftDecision(newId(), rule, match, facts, cfg.maxEvidence);
    const sentKey = sentKeyOf(rule.id, scope);
    const s = cur ?? initialState(now);

    const perRule = ruleGate(s, rule.id, sentKey, rule.cooldownSeconds, now);
    if (perRule) {
      cur = suppress(s, decision, sentKey, perRule);
      continue;
    }
    const perSession = sessionGate(s, now, cfg);
    if (perSession) {
      cur = suppress(s, decision, sentKey, perSession);
      break;
    }
    let slots: CapSlot[] = [];
    if (opts.caps) {
      const taken = await acquireCaps(opts.caps, view, now, cfg);
      if (!taken.ok) {
        cur = suppress(s, decision, sentKey, taken.reason);
        break;
      }
      slots = taken.slots;
    }
    const shadow = cfg.mode === 'shadow';
    const previousRuleSentAt = s.ruleSentAt[rule.id];
    // Shadow goes through the same transition so its log shows what live mode would have done.
    cur = onNudgeSent(s, now, { decisionId: decision.id, ruleId: rule.id, sentKey, expectsAnswer: !shadow, quickReplies: decision.quickReplies });
    if (shadow) {
      decision.outcome = 'suppressed';
      decision.reason = 'shadow';
      toLog.push(decision);
    } else {
      decision.outcome = 'sent';
      nudge = { decision, slots, needsJudge: rule.judge, previousRuleSentAt };
    }
    decisions.push(decision);
    break;
  }
  return { decisions, toLog, nudge, nextState: cur };
}
