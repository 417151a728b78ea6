import { Module } from '@nestjs/common';
import { CopilotModule } from '../../copilot/copilot.module';
import { RasaActionController } from './rasa-action.controller';
import { RasaActionTokenGuard } from './rasa-action-token.guard';
import { RasaActionsService } from './rasa-actions.service';
import { RasaProactiveSender } from './rasa-proactive.sender';

/**
 * CHANNELS=rasa: this service is Rasa's action server (POST /rasa/webhook). Replies
 * travel back in Rasa's action calls, synchronously, so Rasa has no channel adapter;
 * nudges go out through Rasa's HTTP API (RasaProactiveSender, trigger_intent).
 */
@Module({
  imports: [CopilotModule],
  controllers: [RasaActionController],
  providers: [RasaActionsService, RasaActionTokenGuard, RasaProactiveSender],
  exports: [RasaProactiveSender],
})
export class RasaModule {}
