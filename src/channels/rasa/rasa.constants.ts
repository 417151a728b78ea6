/** The actions this service answers for Rasa (names as used in domain.yml). */
export const RASA_ACTION_NAMES = ['action_ask_llm', 'action_recent_activity', 'action_help_current_page'] as const;
export type RasaActionName = (typeof RASA_ACTION_NAMES)[number];
