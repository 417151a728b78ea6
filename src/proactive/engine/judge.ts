/**
 * The judge's answer, for rules with `judge: true`: the integration asks a model
 * whether now is a good moment, and only a strict answer counts. Fenced blocks,
 * prose around the JSON, extra keys, `"speak": "yes"` all mean "don't send":
 * a nudge nobody is sure about is worse than none.
 */
export interface JudgeVerdict {
  speak: boolean;
  reason: string;
}

const MAX_VERDICT_CHARS = 2_000;
const MAX_REASON_CHARS = 300;

/** `{"speak": true, "reason": "..."}` and nothing else; null for anything else. */
export function parseJudgeVerdict(text: string): JudgeVerdict | null {
  if (typeof text !== 'string' || text.length > MAX_VERDICT_CHARS) return null;
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 2 || !keys.includes('speak') || !keys.includes('reason')) return null;
  if (typeof o.speak !== 'boolean' || typeof o.reason !== 'string') return null;
  return { speak: o.speak, reason: o.reason.slice(0, MAX_REASON_CHARS) };
}

/** True only for a strict verdict that says speak. */
export function judgeAllowsSpeaking(text: string): boolean {
  return parseJudgeVerdict(text)?.speak === true;
}
