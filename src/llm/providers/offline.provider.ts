import { CURRENT_POSITION_MARK } from '../../activity/activity-context.renderer';
import type { LlmProvider, LlmRequest, LlmResponse } from '../llm.port';

/** Said in every offline chat answer, so nobody mistakes it for a model's reply. */
export const OFFLINE_NOTICE =
  'AI answers are not enabled on this server yet: they need an LLM provider key (set OPENAI_API_KEY, or LLM_PROVIDER=anthropic with ANTHROPIC_API_KEY).';

export const OFFLINE_MODEL = 'offline';

/** Delimiters the copilot puts around activity (src/copilot/copilot.prompt.ts) and the summarizer around its inputs. */
const BLOCK = (name: string) => new RegExp(`^<<<${name}[ \\t]*\\n([\\s\\S]*?)\\n?^${name}>>>[ \\t]*$`, 'm');
const ACTIVITY_BLOCK = BLOCK('ACTIVITY');
const ACTIONS_BLOCK = BLOCK('ACTIONS');
const PREVIOUS_SUMMARY_BLOCK = BLOCK('PREVIOUS_SUMMARY');

/** "3. [click] Clicked 'Export' — /dashboard  ← current position" as rendered by activity-context.renderer. */
const ACTION_LINE = /^\s*\d+\.\s+(?:\[([^\]]*)\]\s+)?(.*)$/;

export interface ParsedAction {
  type?: string;
  label: string;
  page?: string;
  current: boolean;
}

export function parseActionLine(line: string): ParsedAction | undefined {
  const m = ACTION_LINE.exec(line);
  if (!m) return undefined;
  let rest = m[2].trim();
  const current = rest.endsWith(CURRENT_POSITION_MARK);
  if (current) rest = rest.slice(0, -CURRENT_POSITION_MARK.length).trim();
  const sep = rest.lastIndexOf(' — ');
  const label = (sep >= 0 ? rest.slice(0, sep) : rest).trim();
  const page = sep >= 0 ? rest.slice(sep + 3).trim() : undefined;
  return { type: m[1]?.trim() || undefined, label, page: page || undefined, current };
}

function parseActions(block: string): ParsedAction[] {
  return block
    .split('\n')
    .map(parseActionLine)
    .filter((a): a is ParsedAction => a !== undefined);
}

function lastUserMessage(request: LlmRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === 'user') return request.messages[i].content;
  }
  return '';
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * No network, deterministic. Lets the service run usefully on a first start and in
 * tests: chat answers are built from the activity block alone and say plainly that
 * AI answers need a key; summary requests get a plain factual digest.
 */
export class OfflineProvider implements LlmProvider {
  readonly name = 'offline';

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const input = lastUserMessage(request);
    const text = request.purpose === 'summarizer' ? this.summarize(input) : this.answer(input);
    return { text, model: OFFLINE_MODEL, usage: { inputTokens: 0, outputTokens: 0 } };
  }

  private answer(input: string): string {
    const block = ACTIVITY_BLOCK.exec(input)?.[1];
    const actions = block ? parseActions(block) : [];
    if (actions.length === 0) {
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
  private summarize(input: string): string {
    const previous = PREVIOUS_SUMMARY_BLOCK.exec(input)?.[1]?.trim();
    const actionsBlock = ACTIONS_BLOCK.exec(input)?.[1] ?? input;
    const actions = parseActions(actionsBlock);
    const pages = [...new Set(actions.map((a) => a.page).filter((p): p is string => !!p))];
    const notable = actions.filter((a) => a.type !== 'pageview').map((a) => a.label);
    const last = actions[actions.length - 1];
    const parts = [
      previous && previous !== '(none)' ? clip(previous.replace(/[.\s]+$/, ''), 1_000) : undefined,
      `${actions.length} more action${actions.length === 1 ? '' : 's'}`,
      pages.length ? `pages: ${clip(pages.join(', '), 300)}` : undefined,
      notable.length ? `did: ${clip(notable.join('; '), 400)}` : undefined,
      last ? `last: ${clip(last.label, 150)}${last.page ? ` on ${clip(last.page, 150)}` : ''}` : undefined,
    ];
    return parts.filter(Boolean).join('. ') + '.';
  }
}
