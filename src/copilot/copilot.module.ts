import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { ChatEvents } from './chat-events';
import { ContextAssembler } from './context-assembler';
import { ConversationDirectory } from './conversation-directory';
import { ConversationIdentityService } from './conversation-identity.service';
import { createConversationStore } from './conversation-store.factory';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import type { ConversationStore } from './conversation-store.port';
import { CONVERSATION_STORE } from './copilot.constants';
import { CopilotService } from './copilot.service';
import { DocumentationLookup } from './documentation-lookup';
import { IdentityVerifier } from './identity-verifier';
import { UserContextController } from './user-context.controller';

/**
 * The brain every channel shares: CopilotService (context + documentation + prompt + LLM + memory),
 * who is behind a conversation (ConversationIdentityService), and the conversation
 * store channels dedupe with. Also serves what the copilot sees for a user.
 */
@Module({
  imports: [ActivityModule],
  controllers: [UserContextController],
  providers: [
    ChatEvents,
    ContextAssembler,
    CopilotService,
    DocumentationLookup,
    ConversationDirectory,
    ConversationIdentityService,
    IdentityVerifier,
    {
      provide: CONVERSATION_STORE,
      inject: [storeConfig.KEY, REDIS_CONNECTION],
      useFactory: (cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null) => createConversationStore(cfg, redis),
    },
  ],
  exports: [ChatEvents, CopilotService, ConversationIdentityService, IdentityVerifier, CONVERSATION_STORE],
})
export class CopilotModule implements OnApplicationShutdown {
  constructor(@Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.conversations.close();
  }
}
