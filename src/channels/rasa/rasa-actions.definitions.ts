import type { ChatTurn } from '../../copilot/copilot.types';
import type { RasaActionName } from './rasa.constants';

export interface RasaActionDefinition {
  name: RasaActionName;
  intent: NonNullable<ChatTurn['intent']>;
  /** Asked on the user's behalf when Rasa ran the action without text (e.g. a button or triggered intent). */
  defaultQuestion?: string;
  /** Only meaningful with activity: without any, answer `nothingToGoOnText` instead of asking the model. */
  needsActivity: boolean;
  /**
   * When there is nothing to answer from: no activity known for the user (recap,
   * page help) or no message at all (a free-form question without text).
   */
  nothingToGoOnText: string;
  /** When the copilot could not answer (LLM down, too slow, internal error). */
  failureText: string;
}

/** The three actions the example bot's domain names; wording is ours. */
export const RASA_ACTIONS: readonly RasaActionDefinition[] = [
  {
    name: 'action_ask_llm',
    intent: 'question',
    needsActivity: false,
    nothingToGoOnText:
      "I didn't quite catch that. You can ask me how to do something in the app, what you just did, or for help with the page you're on.",
    failureText:
      "Sorry, I couldn't put an answer together just now. Please ask again in a moment; you can also ask me what you just did or for help with this page.",
  },
  {
    name: 'action_recent_activity',
    intent: 'recap',
    defaultQuestion: 'What did I just do?',
    needsActivity: true,
    nothingToGoOnText:
      "I haven't seen you do anything in the app in the last few minutes. Click around a bit, then ask me again and I'll recap it for you.",
    failureText: "I couldn't pull your recent steps together just now. Please try again in a moment.",
  },
  {
    name: 'action_help_current_page',
    intent: 'page_help',
    defaultQuestion: 'Can you help me with the page I am on?',
    needsActivity: true,
    nothingToGoOnText:
      "I can't tell which page you're on yet. Open the page you need help with (or click anything on it), then ask me again.",
    failureText:
      "I couldn't look at your page just now. Please try again in a moment, or tell me what you're trying to do and I'll explain the steps.",
  },
];
