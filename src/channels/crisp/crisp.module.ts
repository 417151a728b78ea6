import { Module } from '@nestjs/common';
import { ActivityModule } from '../../activity/activity.module';
import { CopilotModule } from '../../copilot/copilot.module';
import { CRISP_DELIVERY_POLICY, DEFAULT_CRISP_DELIVERY_POLICY } from './crisp.constants';
import { CrispApiClient } from './crisp-api.client';
import { CrispHookAuthGuard } from './crisp-hook-auth.guard';
import { CrispReplyWorker } from './crisp-reply.worker';
import { CrispUserResolver } from './crisp-user-resolver';
import { CrispWebhookController } from './crisp-webhook.controller';
import { CrispWebhookService } from './crisp-webhook.service';
import { CrispChannel } from './crisp.channel';

/** CHANNELS=crisp: POST /crisp/hooks in, operator replies out through JOB_QUEUE. */
@Module({
  imports: [CopilotModule, ActivityModule],
  controllers: [CrispWebhookController],
  providers: [
    { provide: CRISP_DELIVERY_POLICY, useValue: DEFAULT_CRISP_DELIVERY_POLICY },
    CrispApiClient,
    CrispHookAuthGuard,
    CrispUserResolver,
    CrispWebhookService,
    CrispReplyWorker,
    CrispChannel,
  ],
})
export class CrispModule {}
