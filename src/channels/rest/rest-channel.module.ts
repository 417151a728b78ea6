import { Module } from '@nestjs/common';
import { ChatRateLimitModule } from '../../common/rate-limit/chat-rate-limit.module';
import { CopilotModule } from '../../copilot/copilot.module';
import { ChatController } from './chat.controller';
import { NudgeWebhook } from './nudge-webhook';
import { RestProactiveSender } from './rest-proactive.sender';
import { UserEventsController } from './user-events.controller';

/**
 * CHANNELS=rest: POST /v1/chat, request/response; the user's event stream
 * (GET /v1/users/:userId/events) and the signed nudge webhook, for proactive nudges.
 */
@Module({
  imports: [CopilotModule, ChatRateLimitModule],
  controllers: [ChatController, UserEventsController],
  providers: [RestProactiveSender, NudgeWebhook],
  exports: [RestProactiveSender],
})
export class RestChannelModule {}
