import { Module } from '@nestjs/common';
import { ChatRateLimitModule } from '../../../common/rate-limit/chat-rate-limit.module';
import { CopilotModule } from '../../../copilot/copilot.module';
import { ReplyController } from './reply.controller';

/** GET /reply/:userId, the Rasa recipe's bridge. Mounted when rasa or rest is enabled (see channel-definitions.ts). */
@Module({
  imports: [CopilotModule, ChatRateLimitModule],
  controllers: [ReplyController],
})
export class BridgeModule {}
