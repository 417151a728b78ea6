import { Module } from '@nestjs/common';
import { ActivityModule } from '../../activity/activity.module';
import { CopilotModule } from '../../copilot/copilot.module';
import { BridgeModule } from './bridge/bridge.module';
import { RasaActionController } from './rasa-action.controller';
import { RasaActionTokenGuard } from './rasa-action-token.guard';
import { RasaActionsService } from './rasa-actions.service';
import { RasaChannel } from './rasa.channel';

/**
 * CHANNELS=rasa: this service is Rasa's action server (POST /rasa/webhook), and
 * the recipe's bridge (GET /reply/:userId) stays available for teams that keep
 * their own Python action server.
 */
@Module({
  imports: [ActivityModule, CopilotModule, BridgeModule],
  controllers: [RasaActionController],
  providers: [RasaActionsService, RasaActionTokenGuard, RasaChannel],
})
export class RasaModule {}
