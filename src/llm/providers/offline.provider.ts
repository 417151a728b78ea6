import { clip } from '../../common/text';
import type { GroundingAction, LlmGrounding, LlmProvider, LlmRequest, LlmResponse } from '../llm.port';

/** Said in every offline chat answer, so nobody mistakes it for a model's reply. */
export const OFFLINE_NOTICE =
  'AI answers are not enabled on this server yet: they need an LLM provider key (set OPENAI_API_KEY, or LLM_PROVIDER=anthropic with ANTHROPIC_API_KEY).';

export const OFFLINE_MODEL = 'offline';

/**
 * No network, deterministic. Lets the service run usefully on a first start and in
 * tests: chat answers are built from the request's grounding (the best help-center
 * excerpt when the knowledge base matched, else the structured form of the prompt's
 * activity block) and say plainly that AI answers need a key; summary
 * requests get a plain factual digest. The prompt text is never parsed.
 */
export class OfflineProvider implements LlmProvider {
  readonly name = 'offline';

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const grounding = request.grounding ?? {};
    const text = request.purpose === 'summarizer' ? summarize(grounding) : answer(grounding);
    return { text, model: OFFLINE_MODEL, usage: { inputTokens: 0, outputTokens: 0 } };
  }
}

function answer(g: LlmGrounding): string {
  // The help center answering the question beats any guess from the activity.
  const documented = g.documentationAnswer?.trim();
  if (documented) return `${clip(documented, 1_000)}\n\n${OFFLINE_NOTICE}`;
  const actions = g.actions ?? [];
  if (actions.length === 0) {
    const summary = g.summaries?.find((s) => s.trim());
    if (summary) {
      return `Here is what I know of your recent activity: ${clip(summary.trim(), 600)} Tell me what you're trying to do next and I'll point the way. ${OFFLINE_NOTICE}`;
    }
    return `I can't see any recent activity from you in the product, so I can't tell where you are yet. Tell me which page you're on and what you're trying to do. ${OFFLINE_NOTICE}`;
  }
  const current = actions.find((a) => a.current) ?? actions[actions.length - 1];
  const page = current.page ?? [...actions].reverse().find((a) => a.page)?.page;
  const parts = [
    page ? `You're currently on ${clip(page, 200)}.` : undefined,
    `The last thing you did was: ${clip(current.label, 200)}${current.type ? ` (${current.type})` : ''}.`,
    "Next step: if that didn't do what you expected, try it once more and tell me exactly what you see (any error message helps), or describe what you want to achieve.",
    OFFLINE_NOTICE,
  ];
  return parts.filter(Boolean).join(' ');
}

/** A bounded, deterministic rolling digest: previous summary, pages visited, notable actions, last action. */
function summarize(g: LlmGrounding): string {
  const actions: GroundingAction[] = g.actions ?? [];
  const previous = g.previousSummary?.trim();
  const pages = [...new Set(actions.map((a) => a.page).filter((p): p is string => !!p))];
  const notable = actions.filter((a) => a.type !== 'pageview').map((a) => a.label);
  const last = actions[actions.length - 1];
  const parts = [
    previous ? clip(previous.replace(/[.\s]+$/, ''), 1_000) : undefined,
    `${actions.length} more action${actions.length === 1 ? '' : 's'}`,
    pages.length ? `pages: ${clip(pages.join(', '), 300)}` : undefined,
    notable.length ? `did: ${clip(notable.join('; '), 400)}` : undefined,
    last ? `last: ${clip(last.label, 150)}${last.page ? ` on ${clip(last.page, 150)}` : ''}` : undefined,
  ];
  return parts.filter(Boolean).join('. ') + '.';
}
