import { Inject, Injectable } from '@nestjs/common';
import { crispConfig, type ConfigOf } from '../../config/config.namespaces';
import type { IdentityClaim } from '../../copilot/conversation-identity.service';
import type { ChannelAdapter, DeliveryTarget, OutboundMessage } from '../channel-adapter.port';
import { CrispApiClient } from './crisp-api.client';

/**
 * Crisp's transport: operator messages and the typing indicator in a Crisp session
 * (`target.conversationId` = session id), and the conversation meta as the place to
 * look the visitor up when no hook has told us who they are.
 */
@Injectable()
export class CrispAdapter implements ChannelAdapter {
  readonly id = 'crisp' as const;
  readonly retryWindowMs: number;

  constructor(
    private readonly crisp: CrispApiClient,
    @Inject(crispConfig.KEY) cfg: ConfigOf<typeof crispConfig>,
  ) {
    this.retryWindowMs = cfg.retryWindowSeconds * 1000;
  }

  send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    return this.crisp.sendTextMessage(target.conversationId, message.text);
  }

  typing(target: DeliveryTarget, on: boolean): Promise<void> {
    return this.crisp.compose(target.conversationId, on ? 'start' : 'stop');
  }

  async lookupIdentity(target: DeliveryTarget): Promise<IdentityClaim> {
    const meta = await this.crisp.getConversationMeta(target.conversationId);
    const userId = meta.data?.user_id;
    const userToken = meta.data?.user_token;
    return {
      userId: typeof userId === 'string' || typeof userId === 'number' ? String(userId) : undefined,
      userToken: typeof userToken === 'string' ? userToken : undefined,
      // The meta says nothing about verification: only session:update_verify vouches for the email.
      email: meta.email,
    };
  }
}
