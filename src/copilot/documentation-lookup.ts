import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { SessionContext } from '../activity/session-store/session-store.port';
import { errorMessage, normaliseUntrusted } from '../common/text';
import { kbConfig, type ConfigOf } from '../config/config.namespaces';
import { documentationBlock, hitMatchesMessage, KbService, offlineAnswerFrom, type KbHit } from '../kb';
import { neutraliseDelimiters } from './context-renderer';
import type { ChatTurn, CopilotReply, CopilotSource } from './copilot.types';
import { currentPageOf } from './page-context';

/** What the knowledge base adds to one reply. */
export interface DocumentationContext {
  /** The delimited block for the prompt; '' when no article matched (the prompt then says so). */
  block: string;
  /** The articles the block shows, most relevant first, one entry per article. */
  sources: CopilotSource[];
  /** An answer from the best excerpt the message matches, for providers that cannot read the prompt (offline). */
  offlineAnswer?: string;
  /** Excerpts in the block (for logs). */
  excerpts: number;
}

/** Help-center text on its way into a prompt gets the same treatment as activity text. */
const untrusted = (s: string) => neutraliseDelimiters(normaliseUntrusted(s));

function sourcesOf(hits: readonly KbHit[]): CopilotSource[] {
  const seen = new Set<string>();
  const out: CopilotSource[] = [];
  for (const hit of hits) {
    if (seen.has(hit.source)) continue;
    seen.add(hit.source);
    out.push({ title: hit.docTitle, url: hit.url ?? null });
  }
  return out;
}

/**
 * The copilot's use of the knowledge base: search for the message where the user is
 * now (current page, its title, the last action), render the top KB_TOP_K excerpts as
 * a block within KB_MAX_CHARS, and name the articles used. Off (undefined) without
 * KB_DIR, so the prompt stays as it was; a failing search never fails a reply.
 */
@Injectable()
export class DocumentationLookup {
  private readonly logger = new Logger(DocumentationLookup.name);

  constructor(
    @Optional() private readonly kb?: KbService,
    @Optional() @Inject(kbConfig.KEY) private readonly cfg?: Pick<ConfigOf<typeof kbConfig>, 'topK' | 'maxChars'>,
  ) {}

  get enabled(): boolean {
    return this.kb?.enabled === true && this.cfg !== undefined;
  }

  async lookup(turn: ChatTurn, sessions: readonly SessionContext[], boundary: string): Promise<DocumentationContext | undefined> {
    const kb = this.kb;
    const cfg = this.cfg;
    // A recap is about what the person did, which no article can answer.
    if (!kb?.enabled || !cfg || turn.intent === 'recap') return undefined;
    try {
      const page = currentPageOf(sessions);
      const hits = await kb.search(
        { message: turn.text, page: page && { canonicalUrl: page.canonicalUrl, title: page.title }, lastActionLabel: page?.lastActionLabel },
        { topK: cfg.topK, maxChars: cfg.maxChars },
      );
      const cleaned = hits.map((h) => ({ ...h, docTitle: untrusted(h.docTitle), headingPath: h.headingPath.map(untrusted), url: h.url && untrusted(h.url), text: untrusted(h.text) }));
      const rendered = documentationBlock(cleaned, cfg.maxChars, { boundary });
      // The block shows a prefix of the hits; sources and the offline answer use the originals.
      const used = hits.slice(0, rendered.used.length);
      // Without a model, answer from an excerpt only when the person's words meet it (or they asked about the page):
      // one found through the page context alone would answer another question.
      const answering = used.find((h) => turn.intent === 'page_help' || hitMatchesMessage(h, turn.text));
      return {
        block: rendered.text,
        sources: sourcesOf(used),
        offlineAnswer: answering ? offlineAnswerFrom(answering) : undefined,
        excerpts: used.length,
      };
    } catch (err) {
      this.logger.warn({ channel: turn.channel, conversationId: turn.conversationId, err: errorMessage(err) }, 'knowledge-base lookup failed; answering without documentation');
      return undefined;
    }
  }
}

/**
 * The reply text for channels that show text only (Crisp, Rasa): it ends with the most
 * relevant article's link, unless the reply already gives it or is the fallback text.
 */
export function replyWithSourceLink(reply: Pick<CopilotReply, 'reply' | 'sources' | 'fallback'>): string {
  const url = reply.fallback ? undefined : reply.sources.find((s) => s.url)?.url;
  if (!url || reply.reply.includes(url)) return reply.reply;
  return `${reply.reply}\n\nMore: ${url}`;
}
