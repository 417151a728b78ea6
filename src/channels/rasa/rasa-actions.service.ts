import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { errorMessage } from '../../common/text';
import { CopilotService } from '../../copilot/copilot.service';
import { replyWithSourceLink } from '../../copilot/documentation-lookup';
import { IdentityVerifier } from '../../copilot/identity-verifier';
import { identityConfig, type ConfigOf } from '../../config/config.namespaces';
import type { ChatTurn } from '../../copilot/copilot.types';
import { MetricsService } from '../../observability/metrics.service';
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

/** Served for the bot's proactive rule (examples/rasa-bot): utters the nudge from the trigger_intent entities. */
export const PROACTIVE_NUDGE_ACTION = 'action_proactive_nudge';
const MAX_NUDGE_CHARS = 2_000;

type Outcome = 'ok' | 'no_activity' | 'fallback' | 'timeout' | 'error' | 'empty_message';

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

  constructor(
    private readonly copilot: CopilotService,
    private readonly verifier: IdentityVerifier,
    @Inject(identityConfig.KEY) private readonly identity: ConfigOf<typeof identityConfig>,
    metrics: MetricsService,
  ) {
    this.runs = metrics.counter({
      name: 'rasa_actions_total',
      help: 'Rasa custom action runs by action and outcome',
      labelNames: ['action', 'outcome'],
    });
  }

  names(): string[] {
    return [...this.actions.keys(), PROACTIVE_NUDGE_ACTION];
  }

  /** Throws UnknownRasaActionError for a name we do not serve; never throws otherwise. */
  async run(call: RasaActionCall): Promise<RasaActionResponse> {
    if (call.next_action === PROACTIVE_NUDGE_ACTION) return this.utterNudge(call);
    const action = this.actions.get(call.next_action);
    if (!action) throw new UnknownRasaActionError(call.next_action);
    let source: RasaTurnSource | undefined;
    let result: { text: string; outcome: Outcome };
    try {
      source = this.trusted(turnSourceFrom(call, { senderIsUserId: this.identity.rasaSenderIsUserId }));
      result = await this.answer(action, source);
    } catch (err) {
      // answer() handles copilot failures; this is the last line so Rasa never gets a 500.
      this.logger.error({ action: action.name, err: errorMessage(err) }, 'rasa action failed');
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
      if (action.needsActivity && !(source.userId && (await this.copilot.hasActivity(source.userId, source.productId)))) {
        return { text: action.nothingToGoOnText, outcome: 'no_activity' };
      }
      // Rasa waits for the answer with the user watching: past the deadline, the fallback text.
      const reply = await this.copilot.reply(this.toTurn(action, source, question), { withinMs: this.copilot.replyDeadlineMs });
      if (reply.fallback) {
        const timedOut = reply.fallbackReason === 'deadline';
        if (timedOut) this.logger.warn({ action: action.name, conversationId: source.conversationId, deadlineMs: this.copilot.replyDeadlineMs }, 'rasa action fell back: deadline');
        return { text: action.failureText, outcome: timedOut ? 'timeout' : 'fallback' };
      }
      if (action.needsActivity && !reply.hasActivity) return { text: action.nothingToGoOnText, outcome: 'no_activity' };
      return { text: replyWithSourceLink(reply), outcome: 'ok' };
    } catch (err) {
      this.logger.warn({ action: action.name, conversationId: source.conversationId, reason: 'error', err: errorMessage(err) }, 'rasa action fell back');
      return { text: action.failureText, outcome: 'error' };
    }
  }

  /**
   * The bot's rule for the proactive intent runs this: utter the nudge the trigger_intent
   * call carried in its `message` entity. No model call: the text was decided already.
   */
  private utterNudge(call: RasaActionCall): RasaActionResponse {
    const entities = call.tracker.latest_message?.entities;
    const value = (name: string): string | undefined => {
      const list = Array.isArray(entities) ? (entities as Array<{ entity?: unknown; value?: unknown }>) : [];
      const found = list.find((e) => e && e.entity === name)?.value;
      return typeof found === 'string' ? found : undefined;
    };
    const message = value('message')?.trim().slice(0, MAX_NUDGE_CHARS);
    this.runs.inc({ action: PROACTIVE_NUDGE_ACTION, outcome: message ? 'ok' : 'empty_message' });
    this.logger.log({ action: PROACTIVE_NUDGE_ACTION, conversationId: call.sender_id ?? call.tracker.sender_id, triggerId: value('trigger_id')?.slice(0, 100) }, 'rasa nudge uttered');
    return { events: [], responses: message ? [{ text: message }] : [] };
  }

  /** The widget's claimed user id, kept only when the identity verifier trusts it (else: no one's activity). */
  private trusted(source: RasaTurnSource): RasaTurnSource {
    if (!source.userId || source.userIdFrom === 'sender_id') return source;
    if (this.verifier.trustUserId('rasa', source.userId, source.userToken)) return source;
    this.logger.warn({ conversationId: source.conversationId, userIdFrom: source.userIdFrom }, 'claimed user id not trusted (missing or invalid user token); answering without activity');
    return { ...source, userId: undefined, userIdFrom: 'none' };
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
}
