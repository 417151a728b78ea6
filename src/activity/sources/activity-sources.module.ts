import { DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import type { SourceId } from '../../config/env.schema';
import { ActivityModule } from '../activity.module';
import { ConnectorSseSource } from './connector/connector-sse.source';
import { SSE_CLIENT_TIMINGS } from './connector/connector.constants';
import { PosthogIngestService } from './posthog/posthog-ingest.service';
import { PosthogController } from './posthog/posthog.controller';
import { PosthogRoute } from './posthog/posthog.route';
import { PushWebhookController } from './push/push-webhook.controller';
import { PushWebhookRoute } from './push/push-webhook.route';

/** What each source mounts. A source that is not in SOURCES has no route (404) and needs no secret. */
const SOURCES: Record<SourceId, { controllers: Type<unknown>[]; providers: Provider[] }> = {
  push: { controllers: [PushWebhookController], providers: [PushWebhookRoute] },
  posthog: { controllers: [PosthogController], providers: [PosthogIngestService, PosthogRoute] },
  stream: {
    controllers: [],
    providers: [
      ConnectorSseSource,
      // Defaults live in the client; tests override this to shorten backoff and retry delays.
      { provide: SSE_CLIENT_TIMINGS, useValue: {} },
    ],
  },
};

/** Ways activity enters the service, by SOURCES: signed push, the PostHog destination, the connector's SSE stream. */
@Module({})
export class ActivitySourcesModule {
  static register(enabled: readonly SourceId[]): DynamicModule {
    const parts = [...new Set(enabled)].map((id) => SOURCES[id]);
    return {
      module: ActivitySourcesModule,
      imports: [ActivityModule],
      controllers: parts.flatMap((p) => p.controllers),
      providers: parts.flatMap((p) => p.providers),
    };
  }
}
