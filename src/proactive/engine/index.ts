/**
 * Public API of the proactive engine (framework-free; the Nest integration wraps it).
 * See docs/proactive.md.
 */
export type {
  CapSlot,
  DecisionOutcome,
  DecisionReason,
  DecisionTrigger,
  EvidenceAction,
  NudgeMode,
  PendingNudge,
  ProactiveAction,
  ProactiveDecision,
  QuickReply,
  SessionView,
  TriggerKind,
  TriggerMatch,
  UserPropertyValue,
} from './proactive.types';
export { DECISION_REASONS, TRIGGER_KINDS } from './proactive.types';
export { DEFAULT_PROACTIVE_CONFIG, resolveConfig, type ProactiveConfig } from './config';
export { buildSessionView, type SessionViewExtras, type SessionViewOptions } from './session-view';
export { evaluate, type EvaluateOptions, type Evaluation } from './evaluate';
export {
  ProactiveEngine,
  type EngineEvaluation,
  type FailureReason,
  type ProactiveEngineOptions,
  type PulseResult,
  type SessionScope,
} from './proactive-engine';
export { defaultRules } from './rules/default-rules';
export { DEFAULT_RULES_DOCUMENT } from './rules/default-rules.document';
export { parseRulesDocument } from './rules/rules.parser';
export { loadRulesFile, parseRulesText, RulesFileError } from './rules/rules.loader';
export type { ProactiveRule, RuleSet, RulesParseResult } from './rules/rule.types';
export { classifyNudgeReply, looksLikeDecline, type ReplyClassification } from './rules/quick-replies';
export { parseJudgeVerdict, judgeAllowsSpeaking, type JudgeVerdict } from './judge';
export { buildNudgePrompt, buildJudgePrompt, acceptLlmNudge, LLM_NUDGE_MAX_CHARS, type PromptPair } from './llm-prompts';
export type { ProactiveStatePort, DecisionLogLimits } from './state/proactive-state.port';
export { stateKeys } from './state/proactive-state.port';
export { MemoryProactiveState } from './state/memory.proactive-state';
export {
  initialState,
  parseState,
  serialiseState,
  type ProactivePhase,
  type SessionProactiveState,
} from './state/session-fsm';
