/**
 * Small text helpers shared across modules. Untrusted text (activity, chat messages)
 * flows through these on its way into prompts, logs and stores.
 */

/** Plain object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The message of anything thrown, for logs (never a stack). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * At most `max` characters, ending with "…" when cut. The result is a fresh string
 * (not a V8 slice of the input), so a short clip never keeps a huge original alive.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return copyString(`${s.slice(0, Math.max(0, max - 1))}…`);
}

/** Forces a flat copy: V8 keeps sliced strings as views onto their parent. */
export function copyString(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}

const PLAIN_ASCII = /^[\x20-\x7E\t\n]*$/;

/**
 * Untrusted text on its way into a prompt, normalised so look-alikes cannot pass for
 * our structure: NFKC (fullwidth `＜＜＜` becomes `<<<`, and is then neutralised),
 * without format characters (zero-width, bidi overrides, invisible tag characters
 * U+E0000–E007F are all `\p{Cf}`) or C0/C1 controls other than tab and newline.
 */
export function normaliseUntrusted(text: string): string {
  // Printable ASCII, tab and newline are already what NFKC and the strip below would give (the usual
  // message, and every turn of the history each prompt re-reads): one cheap test instead of both.
  if (PLAIN_ASCII.test(text)) return text;
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return text.normalize('NFKC').replace(/[\p{Cf}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/gu, '');
}

/** Chat-template control tokens of common model families, which untrusted text must never carry into a prompt. */
const ROLE_MARKERS = /<\|[^|<>\n]{0,40}\|>|\[\/?INST\]|<<\/?SYS>>|<\/?s>|<\/?(?:system|user|assistant|im_start|im_end)>/gi;

/**
 * Our prompts mark untrusted blocks with `<<<NAME code` … `code NAME>>>` and the person's
 * words with "User message (boundary code …):"; nobody else may write anything like those,
 * nor chat-template role markers. Apply after normaliseUntrusted.
 */
export function neutraliseDelimiters(text: string): string {
  return text
    .replace(/<{3,}/g, '‹‹')
    .replace(/>{3,}/g, '››')
    .replace(ROLE_MARKERS, (m) => m.replace(/</g, '‹').replace(/>/g, '›').replace(/\[/g, '(').replace(/\]/g, ')'))
    .replace(/user\s+message\s*(\([^)\n]{0,60}\))?\s*:/gi, 'user-message -');
}
