import type { ProactiveConfig } from '../config';
import type { CriteriaNode } from '../criteria/criteria.types';
import type { NudgeMode, QuickReply, TriggerKind } from '../proactive.types';
import type { MessageTemplate } from '../text/message-template';

export interface ProactiveRule {
  id: string;
  description?: string;
  /** Higher first; equal priorities keep file order. */
  priority: number;
  criteria: CriteriaNode;
  /** Absent only when a trigger supplies the wording (section_playbook). */
  message?: MessageTemplate;
  quickReplies: QuickReply[];
  /** After this rule is sent in a session, it waits this long before it may be sent there again (on any page). */
  cooldownSeconds: number;
  mode: NudgeMode;
  /** What the nudge is for; the integration gives it to the model in `llm` mode and to the judge. */
  intent?: string;
  judge: boolean;
  /** Triggers used by the criteria (outside `not`). */
  triggers: TriggerKind[];
  /** See criteriaHorizonSeconds. */
  horizonSeconds: number;
}

export interface RuleSet {
  /** Enabled rules, highest priority first. */
  rules: ProactiveRule[];
  /** `settings` from the rules file (engine knobs), already validated. */
  settings: Partial<ProactiveConfig>;
  /** Where the rules came from ("defaults", a file path). */
  source: string;
}

export type RulesParseResult = { ok: true; ruleSet: RuleSet } | { ok: false; errors: string[] };
