import { Module } from '@nestjs/common';
import { CopilotModule } from '../../copilot/copilot.module';
import { RasaActionController } from './rasa-action.controller';
import { RasaActionTokenGuard } from './rasa-action-token.guard';
import { RasaActionsService } from './rasa-actions.service';

/**
 * CHANNELS=rasa: this service is Rasa's action server (POST /rasa/webhook). Replies
 * travel back in Rasa's action calls, synchronously, so Rasa has no channel adapter.
 */
@Module({
  imports: [CopilotModule],
  controllers: [RasaActionController],
  providers: [RasaActionsService, RasaActionTokenGuard],
})
export class RasaModule {}
