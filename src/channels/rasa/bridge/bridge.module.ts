import { Module } from '@nestjs/common';
import { CopilotModule } from '../../../copilot/copilot.module';
import { ChatRateLimitModule } from '../../../common/rate-limit/chat-rate-limit.module';
import { ReplyController } from './reply.controller';

/** GET /reply/:userId. Imported by the REST and Rasa channel modules, so it exists when either is enabled. */
@Module({
  imports: [CopilotModule, ChatRateLimitModule],
  controllers: [ReplyController],
})
export class BridgeModule {}
