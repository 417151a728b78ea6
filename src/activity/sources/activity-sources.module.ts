import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity.module';
import { ConnectorSignatureGuard } from './connector-signature.guard';
import { PushWebhookController } from './push-webhook.controller';

/** Ways activity enters the service: signed push (here), connector SSE stream, PostHog destination. */
@Module({
  imports: [ActivityModule],
  controllers: [PushWebhookController],
  providers: [ConnectorSignatureGuard],
})
export class ActivitySourcesModule {}
