import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity.module';
import { ConnectorSignatureGuard } from './push/connector-signature.guard';
import { ConnectorSseSource } from './connector/connector-sse.source';
import { PosthogIngestService } from './posthog/posthog-ingest.service';
import { PosthogSecretGuard } from './posthog/posthog-secret.guard';
import { PosthogController } from './posthog/posthog.controller';
import { PushWebhookController } from './push/push-webhook.controller';
import { SSE_CLIENT_TIMINGS } from './connector/connector.constants';

/**
 * Ways activity enters the service: signed push, the connector's SSE stream (only
 * when STREAM_URL is set) and the PostHog destination.
 */
@Module({
  imports: [ActivityModule],
  controllers: [PushWebhookController, PosthogController],
  providers: [
    ConnectorSignatureGuard,
    ConnectorSseSource,
    PosthogIngestService,
    PosthogSecretGuard,
    // Defaults live in the client; tests override this to shorten backoff and retry delays.
    { provide: SSE_CLIENT_TIMINGS, useValue: {} },
  ],
  exports: [ConnectorSseSource],
})
export class ActivitySourcesModule {}
