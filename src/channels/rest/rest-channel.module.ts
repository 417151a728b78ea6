import { Module } from '@nestjs/common';
import { ChatRateLimitModule } from '../../common/rate-limit/chat-rate-limit.module';
import { CopilotModule } from '../../copilot/copilot.module';
import { ChatController } from './chat.controller';

/** CHANNELS=rest: POST /v1/chat, request/response. */
@Module({
  imports: [CopilotModule, ChatRateLimitModule],
  controllers: [ChatController],
})
export class RestChannelModule {}
