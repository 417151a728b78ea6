import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { LlmModule } from '../llm/llm.module';
import { ContextAssembler } from './context-assembler';
import { createConversationStore } from './conversation-store.factory';
import type { ConversationStore } from './conversation-store.port';
import { CONVERSATION_STORE } from './copilot.constants';
import { CopilotService } from './copilot.service';

/** CopilotService (context + prompt + LLM + memory) for every channel, and the conversation store channels dedupe with. */
@Module({
  imports: [ActivityModule, LlmModule],
  providers: [
    ContextAssembler,
    CopilotService,
    {
      provide: CONVERSATION_STORE,
      inject: [storeConfig.KEY],
      useFactory: (cfg: ConfigOf<typeof storeConfig>) => createConversationStore(cfg),
    },
  ],
  exports: [CopilotService, CONVERSATION_STORE],
})
export class CopilotModule implements OnApplicationShutdown {
  constructor(@Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.conversations.close();
  }
}
