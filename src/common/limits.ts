/**
 * Identifier caps shared by every way an id enters the service (activity sources, chat
 * channels), so an id accepted at ingestion is always addressable by a channel.
 */

/** Longest user, session, conversation or product id. Longer ones are refused, never cut. */
export const MAX_ID_CHARS = 200;

/** Longest email accepted (RFC 5321 path limit). */
export const MAX_EMAIL_CHARS = 320;
