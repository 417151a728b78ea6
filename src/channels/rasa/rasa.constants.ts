/** The actions this service answers for Rasa (names as used in domain.yml). */
export const RASA_ACTION_NAMES = ['action_ask_llm', 'action_recent_activity', 'action_help_current_page'] as const;
export type RasaActionName = (typeof RASA_ACTION_NAMES)[number];

/**
 * Extra time, on top of LLM_TIMEOUT_MS, before an action stops waiting for the
 * copilot and answers with its fallback text. The LLM wrapper's own deadline
 * normally fires first; this one covers everything around it (stores, retries).
 */
export const RASA_DEADLINE_MARGIN_MS = 500;

/** Longest user id / product id / session id taken from tracker metadata. */
export const MAX_ID_CHARS = 200;
