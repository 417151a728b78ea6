import { MAX_EMAIL_CHARS, MAX_ID_CHARS } from '../common/limits';

/**
 * Size caps for what a channel hands the copilot. Owned here, so every channel's
 * validation (REST DTOs, the Crisp hook schema, Rasa's tracker, the bridge) agrees.
 */

/** Longest user message passed to the copilot; longer ones are refused (REST) or cut (webhooks). */
export const MAX_MESSAGE_CHARS = 4_000;

export { MAX_EMAIL_CHARS, MAX_ID_CHARS };
