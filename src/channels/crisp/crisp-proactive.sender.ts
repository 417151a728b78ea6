import { Injectable } from '@nestjs/common';
import type { ProactiveMessage, ProactiveSender, ProactiveTarget } from '../proactive-sender.port';
import { CrispApiClient } from './crisp-api.client';
import { NUDGE_PICKER_PREFIX } from './crisp.constants';

/**
 * Nudges into the user's current Crisp session (learned from `session:set_data` with the
 * user id, or from their last chat): an operator text message, or a `picker` whose
 * choices are the quick replies.
 */
@Injectable()
export class CrispProactiveSender implements ProactiveSender {
  readonly id = 'crisp' as const;

  constructor(private readonly crisp: CrispApiClient) {}

  async send(target: ProactiveTarget, message: ProactiveMessage): Promise<void> {
    if (message.quickReplies.length === 0) return this.crisp.sendTextMessage(target.conversationId, message.text);
    // Crisp picker ids are per message; the nudge id makes it stable across retries.
    return this.crisp.sendPicker(target.conversationId, { id: `${NUDGE_PICKER_PREFIX}${message.nudgeId}`.slice(0, 64), text: message.text, choices: message.quickReplies });
  }
}
