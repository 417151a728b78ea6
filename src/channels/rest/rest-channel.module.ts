import { Module } from '@nestjs/common';
import { CopilotModule } from '../../copilot/copilot.module';
import { BridgeModule } from '../rasa/bridge/bridge.module';
import { ChatRateLimitModule } from '../../common/rate-limit/chat-rate-limit.module';
import { ChatController } from './chat.controller';
import { RestChannel } from './rest.channel';

/** CHANNELS=rest: POST /v1/chat, plus the /reply bridge. */
@Module({
  imports: [CopilotModule, ChatRateLimitModule, BridgeModule],
  controllers: [ChatController],
  providers: [RestChannel],
})
export class RestChannelModule {}
