/**
 * Public API of the proactive feature for the rest of the app: the Nest module and the
 * decision log reader (operator tooling reads `ProactiveDecisionLog.listForUser`).
 * The framework-free engine is `./engine` (docs/proactive.md).
 */
export { ProactiveModule, loadProactiveRules } from './integration/proactive.module';
export { ProactiveDecisionLog, MAX_DECISIONS_PER_READ } from './integration/decision-log';
export type { ProactiveDecision, DecisionOutcome, DecisionReason } from './engine';
