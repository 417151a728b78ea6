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

/** Our prompts mark untrusted blocks with `<<<NAME` … `NAME>>>`; nobody else may write those. */
export function neutraliseDelimiters(text: string): string {
  return text.replace(/<{3,}/g, '‹‹').replace(/>{3,}/g, '››');
}
