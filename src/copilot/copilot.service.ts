import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { copilotConfig, type ConfigOf } from '../config/config.namespaces';
import { MetricsService } from '../observability/metrics.service';
import { LLM_PROVIDER } from '../llm/llm.constants';
import { LlmUnavailableError, type LlmMessage, type LlmProvider } from '../llm/llm.port';
import { ChatEvents } from './chat-events';
import { ContextAssembler, type AssembledContext } from './context-assembler';
import { ConversationDirectory, type UserConversation } from './conversation-directory';
import { CONVERSATION_STORE } from './copilot.constants';
import {
  COPILOT_SYSTEM_PROMPT,
  COPILOT_SYSTEM_PROMPT_WITH_DOCUMENTATION,
  FALLBACK_REPLY,
  PROMPT_ID,
  buildUserMessage,
  neutraliseMessage,
  newBoundary,
} from './copilot.prompt';
import { DocumentationLookup, type DocumentationContext } from './documentation-lookup';
import type { ChatTurn, CopilotReply, ReplyOptions } from './copilot.types';
import type { ConversationStore } from './conversation-store.port';

/** Turns kept per conversation in the store: the prompt window plus a little slack. */
const stored = (historyTurns: number) => Math.max(2, historyTurns + 2);

/**
 * Store key for a conversation's turns and watermark. Conversation ids can come from
 * clients (REST), so the key also carries the channel and user: guessing another
 * user's conversation id never brings their history into this user's prompt.
 */
export function conversationKey(turn: Pick<ChatTurn, 'channel' | 'userId' | 'conversationId'>): string {
  return `conv:${turn.channel}\u0000${turn.userId ?? ''}\u0000${turn.conversationId}`;
}

/**
 * The brain every channel shares: assemble the user's context, ask the model,
 * remember the exchange. Channels only transport; they never build prompts.
 */
@Injectable()
export class CopilotService {
  private readonly logger = new Logger(CopilotService.name);
  private readonly replies: Counter<string>;
  private readonly overhead: Histogram<string>;

  constructor(
    private readonly assembler: ContextAssembler,
    @Inject(LLM_PROVIDER) private readonly llm: LlmProvider,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(copilotConfig.KEY) private readonly cfg: Pick<ConfigOf<typeof copilotConfig>, 'historyTurns'> & Partial<ConfigOf<typeof copilotConfig>>,
    metrics: MetricsService,
    @Optional() private readonly docs: DocumentationLookup = new DocumentationLookup(),
    @Optional() private readonly events?: ChatEvents,
    @Optional() private readonly directory?: ConversationDirectory,
  ) {
    this.replies = metrics.counter({
      name: 'copilot_replies_total',
      help: 'Copilot replies by channel and outcome (ok, fallback)',
      labelNames: ['channel', 'outcome'],
    });
    this.overhead = metrics.histogram({
      name: 'copilot_context_seconds',
      help: 'Time spent assembling context and building the prompt (excludes the LLM call)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    });
  }

  /** How long synchronous channels should give a reply (LLM_TIMEOUT_MS plus a margin). */
  get replyDeadlineMs(): number {
    return this.cfg.replyDeadlineMs ?? 20_500;
  }

  /** True when the user has a summary or raw actions in the lookback window. */
  hasActivity(userId: string, productId?: string): Promise<boolean> {
    return this.assembler.hasActivity(userId, productId);
  }

  /** Exactly the activity block a reply for this user would carry now; null for a user never seen. */
  previewContext(userId: string, productId?: string) {
    return this.assembler.preview(userId, productId);
  }

  /** The user's recent conversations on every channel, newest first, each with its last `turnsEach` turns (operators' view). */
  async userConversations(userId: string, turnsEach: number): Promise<UserConversation[]> {
    return this.directory ? this.directory.forUser(userId, turnsEach) : [];
  }

  async reply(turn: ChatTurn, opts: ReplyOptions = {}): Promise<CopilotReply> {
    const work = this.answer(turn);
    if (opts.withinMs === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CopilotReply>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn({ channel: turn.channel, conversationId: turn.conversationId, deadlineMs: opts.withinMs }, 'copilot reply missed its deadline; answering with the fallback');
        resolve({ reply: FALLBACK_REPLY, sources: [], hasActivity: false, conversationId: turn.conversationId, fallback: true, fallbackReason: 'deadline' });
      }, opts.withinMs);
    });
    // The late answer still records its turn; nobody awaits it past the deadline.
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private async answer(turn: ChatTurn): Promise<CopilotReply> {
    const started = process.hrtime.bigint();
    const receivedAt = Date.now();
    const key = conversationKey(turn);
    await this.events?.emitUserWrote({
      channel: turn.channel,
      conversationId: turn.conversationId,
      userId: turn.userId,
      productId: turn.productId,
      sessionId: turn.sessionId,
      text: turn.text,
      at: receivedAt,
    });
    const ctx = await this.assembler.assemble(turn, receivedAt, key);
    const boundary = newBoundary();
    const docs = await this.docs.lookup(turn, ctx.sessions, boundary);
    const request = this.buildRequest(turn, ctx, boundary, docs);
    this.overhead.observe(Number(process.hrtime.bigint() - started) / 1e9);

    const log = {
      channel: turn.channel,
      conversationId: turn.conversationId,
      userId: ctx.userId,
      intent: turn.intent ?? 'question',
      prompt: PROMPT_ID,
      provider: this.llm.name,
      hasActivity: ctx.activity.length > 0,
      contextChars: ctx.activity.length + (ctx.newActivity?.length ?? 0),
      droppedChars: ctx.droppedChars,
      historyTurns: ctx.history.length,
      ...(docs ? { documentationExcerpts: docs.excerpts, documentationChars: docs.block.length } : {}),
    };

    let text: string;
    let fallback = false;
    try {
      const res = await this.llm.complete(request);
      text = res.text.trim();
      if (!text) throw new LlmUnavailableError('unknown', 'the model returned an empty reply');
      this.logger.log({ ...log, model: res.model, usage: res.usage }, 'copilot reply');
    } catch (err) {
      fallback = true;
      text = FALLBACK_REPLY;
      const reason = err instanceof LlmUnavailableError ? err.reason : 'unknown';
      this.logger.warn({ ...log, reason, err: err instanceof Error ? err.message : String(err) }, 'copilot fell back: LLM unavailable');
    }
    this.replies.inc({ channel: turn.channel, outcome: fallback ? 'fallback' : 'ok' });

    // Stored neutralised, so a replayed turn can never carry what the prompt would refuse today.
    await this.remember(key, neutraliseMessage(turn.text), neutraliseMessage(text), receivedAt, fallback ? undefined : ctx.nextWatermark);
    if (ctx.userId && this.directory) await this.directory.record(ctx.userId, { channel: turn.channel, conversationId: turn.conversationId, key, lastAt: Date.now() });
    return {
      reply: text,
      sources: fallback ? [] : (docs?.sources ?? []),
      hasActivity: ctx.activity.length > 0,
      name: ctx.firstName,
      conversationId: turn.conversationId,
      ...(fallback ? { fallback: true, fallbackReason: 'llm_unavailable' as const } : {}),
    };
  }

  /**
   * Records a message the assistant sent unprompted (a proactive nudge) as its turn in the
   * conversation, so the user's answer ("yes please") is read as a reply to it.
   */
  async recordAssistantTurn(where: Pick<ChatTurn, 'channel' | 'userId' | 'conversationId'>, text: string, at = Date.now()): Promise<void> {
    await this.conversations.appendTurns(conversationKey(where), [{ role: 'assistant', text: neutraliseMessage(text), at, unprompted: true }], stored(this.cfg.historyTurns));
  }

  private buildRequest(turn: ChatTurn, ctx: AssembledContext, boundary: string, docs: DocumentationContext | undefined) {
    // History was neutralised when stored; turns stored before that are neutralised again here.
    const history: LlmMessage[] = ctx.history.map((t) => ({ role: t.role, content: neutraliseMessage(t.text) }));
    const user = buildUserMessage({
      activity: ctx.activity,
      newActivity: ctx.newActivity,
      firstName: ctx.firstName,
      alreadyGreeted: ctx.alreadyGreeted,
      intent: turn.intent ?? 'question',
      documentation: docs?.block,
      message: neutraliseMessage(turn.text),
      boundary,
    });
    return {
      // With a knowledge base every prompt explains the documentation block, including a reply
      // whose search found nothing (the user message then says so) or failed.
      system: this.docs.enabled ? COPILOT_SYSTEM_PROMPT_WITH_DOCUMENTATION : COPILOT_SYSTEM_PROMPT,
      messages: [...history, { role: 'user' as const, content: user }],
      grounding: docs?.offlineAnswer ? { ...ctx.grounding, documentationAnswer: docs.offlineAnswer } : ctx.grounding,
      purpose: 'copilot.reply',
      promptVersion: PROMPT_ID,
    };
  }

  /**
   * Records the exchange even when the reply is the fallback (the user did say it),
   * but moves the activity watermark only after a real answer, so the next reply
   * still sees those actions as new.
   */
  private async remember(key: string, message: string, reply: string, at: number, watermark: number | undefined): Promise<void> {
    try {
      await this.conversations.appendTurns(
        key,
        [
          { role: 'user', text: message, at },
          { role: 'assistant', text: reply, at: Date.now() },
        ],
        stored(this.cfg.historyTurns),
      );
      if (watermark !== undefined) await this.conversations.setWatermark(key, watermark);
    } catch (err) {
      // The user already has an answer; a store hiccup costs history, not the reply.
      this.logger.error({ conversationKey: key, err: err instanceof Error ? err.message : String(err) }, 'could not record conversation turn');
    }
  }
}
