import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SESSION_STORE } from '../../activity/activity.constants';
import type { SessionStore } from '../../activity/session-store/session-store.port';
import { llmConfig, type ConfigOf } from '../../config/config.namespaces';
import { CopilotService } from '../../copilot/copilot.service';
import type { ChatTurn, CopilotReply } from '../../copilot/copilot.types';
import { MetricsService } from '../../observability/metrics.service';
import { RASA_DEADLINE_MARGIN_MS } from './rasa.constants';
import type { RasaActionCall } from './rasa-action-call.schema';
import { RASA_ACTIONS, type RasaActionDefinition } from './rasa-actions.definitions';
import { turnSourceFrom, type RasaTurnSource } from './rasa-tracker';

/** Rasa's action response: `events` to apply to the tracker, `responses` to utter. */
export interface RasaActionResponse {
  events: Record<string, unknown>[];
  responses: { text: string }[];
}

export class UnknownRasaActionError extends Error {
  constructor(readonly actionName: string) {
    super(`No registered action found for name '${actionName}'.`);
    this.name = 'UnknownRasaActionError';
  }
}

type Outcome = 'ok' | 'no_activity' | 'fallback' | 'timeout' | 'error' | 'empty_message';

class DeadlineExceeded extends Error {}

/**
 * Runs the custom actions Rasa calls: maps the tracker to a ChatTurn, asks the
 * copilot, and always answers with something the user can read. Rasa shows
 * nothing on an error status, so failures become the action's fallback text.
 */
@Injectable()
export class RasaActionsService {
  private readonly logger = new Logger(RasaActionsService.name);
  private readonly actions = new Map<string, RasaActionDefinition>(RASA_ACTIONS.map((a) => [a.name, a]));
  private readonly runs: Counter<string>;
  private readonly deadlineMs: number;

  constructor(
    private readonly copilot: CopilotService,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(llmConfig.KEY) llm: ConfigOf<typeof llmConfig>,
    metrics: MetricsService,
  ) {
    this.deadlineMs = llm.timeoutMs + RASA_DEADLINE_MARGIN_MS;
    this.runs = metrics.counter({
      name: 'rasa_actions_total',
      help: 'Rasa custom action runs by action and outcome',
      labelNames: ['action', 'outcome'],
    });
  }

  names(): string[] {
    return [...this.actions.keys()];
  }

  has(name: string): boolean {
    return this.actions.has(name);
  }

  /** Throws UnknownRasaActionError for a name we do not serve; never throws otherwise. */
  async run(call: RasaActionCall): Promise<RasaActionResponse> {
    const action = this.actions.get(call.next_action);
    if (!action) throw new UnknownRasaActionError(call.next_action);
    let source: RasaTurnSource | undefined;
    let result: { text: string; outcome: Outcome };
    try {
      source = turnSourceFrom(call);
      result = await this.answer(action, source);
    } catch (err) {
      // answer() handles copilot failures; this is the last line so Rasa never gets a 500.
      this.logger.error({ action: action.name, err: err instanceof Error ? err.message : String(err) }, 'rasa action failed');
      result = { text: action.failureText, outcome: 'error' };
    }
    this.runs.inc({ action: action.name, outcome: result.outcome });
    this.logger.log(
      { action: action.name, conversationId: source?.conversationId, userId: source?.userId, userIdFrom: source?.userIdFrom, outcome: result.outcome },
      'rasa action answered',
    );
    return { events: [], responses: [{ text: result.text }] };
  }

  private async answer(action: RasaActionDefinition, source: RasaTurnSource): Promise<{ text: string; outcome: Outcome }> {
    const question = source.text || action.defaultQuestion;
    if (!question) return { text: action.nothingToGoOnText, outcome: 'empty_message' };
    try {
      // Recap and page help mean nothing without activity: skip the model call entirely.
      if (action.needsActivity && !(await this.hasActivity(source))) return { text: action.nothingToGoOnText, outcome: 'no_activity' };
      const reply = await this.withDeadline(this.copilot.reply(this.toTurn(action, source, question)));
      if (reply.fallback) return { text: action.failureText, outcome: 'fallback' };
      if (action.needsActivity && !reply.hasActivity) return { text: action.nothingToGoOnText, outcome: 'no_activity' };
      return { text: reply.reply, outcome: 'ok' };
    } catch (err) {
      const timedOut = err instanceof DeadlineExceeded;
      this.logger.warn(
        {
          action: action.name,
          conversationId: source.conversationId,
          reason: timedOut ? 'deadline' : 'error',
          deadlineMs: this.deadlineMs,
          err: err instanceof Error ? err.message : String(err),
        },
        'rasa action fell back',
      );
      return { text: action.failureText, outcome: timedOut ? 'timeout' : 'error' };
    }
  }

  private toTurn(action: RasaActionDefinition, source: RasaTurnSource, text: string): ChatTurn {
    return {
      channel: 'rasa',
      conversationId: source.conversationId,
      userId: source.userId,
      productId: source.productId,
      sessionId: source.sessionId,
      intent: action.intent,
      text,
      metadata: { rasaAction: action.name },
    };
  }

  private async hasActivity(source: RasaTurnSource): Promise<boolean> {
    const activity = await this.sessions.getUserActivity(source.userId, { productId: source.productId });
    return (activity?.sessions ?? []).some((s) => Boolean(s.summary) || s.actions.length > 0);
  }

  /**
   * Rasa waits for the answer with the user watching: past the deadline we answer
   * with the fallback text. The copilot call keeps running and records its turn.
   */
  private withDeadline(work: Promise<CopilotReply>): Promise<CopilotReply> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded(`no reply within ${this.deadlineMs} ms`)), this.deadlineMs);
      timer.unref();
    });
    work.catch(() => undefined);
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}
