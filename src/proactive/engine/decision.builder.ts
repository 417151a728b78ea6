import type { CriteriaMatch } from './criteria/criteria.evaluator';
import type { DecisionTrigger, EvidenceAction, ProactiveAction, ProactiveDecision, QuickReply } from './proactive.types';
import { quickReply } from './rules/quick-replies';
import type { ProactiveRule } from './rules/rule.types';
import { humanisePath } from './text/action-text';
import { renderTemplate, type MessageTemplate } from './text/message-template';
import { pageName, type ViewFacts } from './view-facts';

const MAX_EVIDENCE_TITLE = 200;

export interface DecisionDraft {
  decision: ProactiveDecision;
  /** Where a repeat of this rule counts as identical (see TriggerMatch.scope). */
  scope: string;
}

/** Turns a rule that fired into a decision (outcome still to be decided by the gates). */
export function draftDecision(id: string, rule: ProactiveRule, match: CriteriaMatch, facts: ViewFacts, maxEvidence: number): DecisionDraft {
  const view = facts.view;
  const primary = match.triggers[0];
  const page = primary?.page ?? facts.current?.page ?? '';
  const trigger: DecisionTrigger = primary?.trigger ?? match.conditions[0] ?? 'url_matches';
  const evidenceSource: ProactiveAction[] = primary?.evidence ?? (facts.current ? [facts.current.action] : []);
  const supplied = match.triggers.find((t) => t.message !== undefined);
  const template: MessageTemplate | undefined = rule.message ?? supplied?.message;
  const message = template
    ? renderTemplate(template, {
        firstName: view.firstName,
        page: page ? pageName(facts, page) : undefined,
        label: primary?.label,
        otherPage: primary?.otherPage ? pageName(facts, primary.otherPage) : undefined,
        section: primary?.section ? humanisePath(`/${primary.section}`) : undefined,
      })
    : '';
  const quickReplies: QuickReply[] =
    rule.quickReplies.length > 0 ? rule.quickReplies : (supplied?.quickReplies ?? []).map((label) => quickReply(label));
  return {
    scope: primary?.scope ?? page,
    decision: {
      id,
      at: facts.now,
      productId: view.productId,
      sessionId: view.sessionId,
      userId: view.userId,
      ruleId: rule.id,
      trigger,
      page,
      outcome: 'suppressed',
      evidence: evidenceSource.slice(-maxEvidence).map(toEvidence),
      message,
      quickReplies,
      mode: rule.mode,
      intent: rule.intent,
      judge: rule.judge,
    },
  };
}

function toEvidence(a: ProactiveAction): EvidenceAction {
  return {
    type: a.type,
    title: a.title.length > MAX_EVIDENCE_TITLE ? `${a.title.slice(0, MAX_EVIDENCE_TITLE - 1)}…` : a.title,
    canonicalUrl: a.canonicalUrl,
    at: a.at,
  };
}
