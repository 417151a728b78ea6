/**
 * What one stored action may hold. Activity is untrusted input and memory must stay
 * bounded by bytes, not just by counts: every field is capped at ingestion, ids that do
 * not fit are refused (a cut id would be a different id), and kept slices are copies.
 */
export { MAX_EMAIL_CHARS, MAX_ID_CHARS } from '../common/limits';

/** Longest text kept per field (title, description, URLs). */
export const MAX_FIELD_CHARS = 2_000;

/** Longest action type ("click", "pageview", …). */
export const MAX_TYPE_CHARS = 40;
