import type { ProactiveDecision } from './proactive.types';

/** Longest nudge a model may write; longer answers fall back to the template. */
export const LLM_NUDGE_MAX_CHARS = 150;

export interface PromptPair {
  system: string;
  user: string;
}

function activityLines(d: ProactiveDecision): string {
  return d.evidence.map((a, i) => `${i + 1}. ${a.type}: ${a.title} (${a.canonicalUrl})`).join('\n');
}

/** For `mode: llm`: ask for one short nudge grounded in what the user did and what the rule is for. */
export function buildNudgePrompt(d: ProactiveDecision): PromptPair {
  return {
    system: [
      'You write one short, friendly, unprompted message from a product assistant to a user who has not asked anything.',
      `At most ${LLM_NUDGE_MAX_CHARS} characters, one or two sentences, no greeting beyond the first name if given, no emojis, no markdown.`,
      'Only mention things the activity shows or the goal states. End with a short question offering help.',
      'Reply with the message text only.',
    ].join('\n'),
    user: [
      `Goal: ${d.intent ?? d.message}`,
      `Current page: ${d.page}`,
      'What the user just did (oldest first):',
      activityLines(d),
      `A fallback message, for tone: ${d.message}`,
    ].join('\n'),
  };
}

/** The model's nudge, tidied, or null when it is unusable (empty, too long, multi-paragraph): send the template then. */
export function acceptLlmNudge(text: string, maxChars = LLM_NUDGE_MAX_CHARS): string | null {
  const t = text
    .trim()
    .replace(/^["“']+|["”']+$/gu, '')
    .trim();
  if (!t || t.length > maxChars || /\n\s*\n/u.test(t)) return null;
  return t.replace(/\s+/gu, ' ');
}

/** For `judge: true`: ask whether to speak now; the answer goes through parseJudgeVerdict. */
export function buildJudgePrompt(d: ProactiveDecision): PromptPair {
  return {
    system: [
      'You decide whether a product assistant should interrupt a user right now with an unprompted message.',
      'Interrupt only when the activity clearly shows the user would benefit now; when unsure, do not.',
      'Answer with exactly one JSON object and nothing else: {"speak": true or false, "reason": "<a few words>"}',
    ].join('\n'),
    user: [
      `Why the assistant wants to speak: ${d.intent ?? d.ruleId}`,
      `Message it would send: ${d.message}`,
      `Current page: ${d.page}`,
      'What the user just did (oldest first):',
      activityLines(d),
    ].join('\n'),
  };
}
