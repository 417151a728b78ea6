import type { MessageTemplate } from './text/message-template';

/**
 * The proactive engine's data model. Everything here is plain JSON-safe data so
 * decisions and pending nudges can cross a queue, a process or a replica.
 */

/** One user action as the engine sees it. */
export interface ProactiveAction {
  /** pageview | click | submit | change | rageclick … (as sent by the connector). */
  type: string;
  title: string;
  /** Ids already replaced by `:id`; may be a full URL or a path. */
  canonicalUrl: string;
  rawUrl?: string;
  /** Epoch ms: the action's own timestamp, never later than the `now` it was read at. */
  at: number;
}

export type UserPropertyValue = string | number | boolean;

/** What one session looks like to the engine at one instant. */
export interface SessionView {
  productId: string;
  sessionId: string;
  userId?: string;
  firstName?: string;
  userProperties?: Record<string, UserPropertyValue>;
  /** Oldest first. */
  actions: ProactiveAction[];
  /** Epoch ms (server clock) of the last stored activity. */
  lastActivityAt: number;
}

export const TRIGGER_KINDS = ['repeated_action', 'ping_pong', 'page_dwell', 'rage_click', 'error_page', 'section_playbook'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Leaves that are conditions, not behaviours; a rule made only of these reports the first one as its trigger. */
export const CONDITION_KINDS = ['url_matches', 'title_matches', 'user_property'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export type DecisionTrigger = TriggerKind | ConditionKind;

/** What a built-in trigger found. */
export interface TriggerMatch {
  trigger: TriggerKind;
  /** Page path the match is about (rendered as `{page}`). */
  page: string;
  /** Where a repeat counts as identical: the page, or the section for section_playbook. */
  scope: string;
  label?: string;
  otherPage?: string;
  section?: string;
  /** The actions that made the trigger fire, oldest first. */
  evidence: ProactiveAction[];
  /** Wording supplied by the trigger itself (section playbook entries). */
  message?: MessageTemplate;
  quickReplies?: string[];
}

export interface QuickReply {
  label: string;
  /** Choosing it means "no": the nudge counts as declined. */
  decline: boolean;
}

/** Evidence kept in decisions: no raw URL (query strings can carry personal data), bounded titles. */
export interface EvidenceAction {
  type: string;
  title: string;
  canonicalUrl: string;
  at: number;
}

export type DecisionOutcome = 'sent' | 'suppressed' | 'failed';

export const DECISION_REASONS = [
  'cooldown',
  'cap_session',
  'cap_user',
  'cap_product',
  'reactive',
  'already_sent',
  'max_nudges',
  'no_channel',
  'shadow',
  'judge_rejected',
  'llm_failed',
  'delivery_error',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export type NudgeMode = 'template' | 'llm';

export interface ProactiveDecision {
  id: string;
  /** Epoch ms of the evaluation (or of the delivery report for sent/failed entries). */
  at: number;
  productId: string;
  sessionId: string;
  userId?: string;
  ruleId: string;
  trigger: DecisionTrigger;
  page: string;
  outcome: DecisionOutcome;
  /**
   * Why it was not sent (suppressed/failed). On a `sent` decision only `llm_failed`
   * appears: the model could not write the nudge and the template went out instead.
   */
  reason?: DecisionReason;
  evidence: EvidenceAction[];
  /** The rendered template (what goes out in `template` mode, and the fallback in `llm` mode). */
  message: string;
  quickReplies: QuickReply[];
  mode: NudgeMode;
  intent?: string;
  judge: boolean;
  channel?: string;
}

/** A cap slot taken for a nudge; given back if the nudge never reaches the user. */
export interface CapSlot {
  key: string;
  acquiredAt: number;
}

/**
 * A nudge the engine decided to send. The integration delivers it (after the
 * judge and/or the model when the rule asks for them) and reports back with
 * markDelivered / markFailed / markSuppressed, passing this object unchanged.
 */
export interface PendingNudge {
  decision: ProactiveDecision;
  slots: CapSlot[];
  /** The rule wants a model to confirm the timing first (`parseJudgeVerdict`). */
  needsJudge: boolean;
  /** The rule's previous send time in this session, restored if the nudge is undone. */
  previousRuleSentAt?: number;
}
