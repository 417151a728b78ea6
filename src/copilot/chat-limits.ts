/**
 * Size caps for what a channel hands the copilot. Owned here, so every channel's
 * validation (REST DTOs, the Crisp hook schema, Rasa's tracker, the bridge) agrees.
 */

/** Longest user message passed to the copilot; longer ones are refused (REST) or cut (webhooks). */
export const MAX_MESSAGE_CHARS = 4_000;

/** Longest user, conversation, session or product id a channel may pass. */
export const MAX_ID_CHARS = 200;

/** Longest email accepted (RFC 5321 path limit). */
export const MAX_EMAIL_CHARS = 320;
