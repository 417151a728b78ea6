/**
 * Regexes written by rule authors run on every evaluation, so they are compiled
 * once at load and refused when they are long or look like they can backtrack
 * catastrophically (a quantified group that itself contains a quantifier, such
 * as `(a+)+` or `(\w*x)*`). This is a heuristic, not a proof: inputs are also
 * cut to MAX_MATCH_INPUT characters before matching.
 */
export const MAX_REGEX_LENGTH = 200;

export type RegexResult = { ok: true; regex: RegExp } | { ok: false; message: string };

const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[*+]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)\s*(?:[*+]|\{\d+,\d*\})/u;
const BACKREFERENCE = /\\[1-9]/u;

export function compileUserRegex(pattern: string): RegexResult {
  if (pattern.length === 0) return { ok: false, message: 'must not be empty' };
  if (pattern.length > MAX_REGEX_LENGTH) return { ok: false, message: `must be at most ${MAX_REGEX_LENGTH} characters` };
  if (NESTED_QUANTIFIER.test(pattern)) {
    return { ok: false, message: 'nested quantifiers such as (a+)+ are not allowed (they can make matching very slow)' };
  }
  if (BACKREFERENCE.test(pattern)) return { ok: false, message: 'backreferences are not allowed' };
  try {
    return { ok: true, regex: new RegExp(pattern, 'i') };
  } catch (err) {
    return { ok: false, message: `is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /u, '')})` };
  }
}
