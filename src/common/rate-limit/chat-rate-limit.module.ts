import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { appConfig, type ConfigOf } from '../../config/config.namespaces';
import { ChatThrottlerGuard } from './chat-throttler.guard';

/**
 * Registers the throttler once for the chat entry points that end users call directly (REST, bridge).
 * /rasa/webhook is called by the Rasa server, so all users would share one bucket there; it is not limited.
 * Only routes that opt in with `@UseGuards(ChatThrottlerGuard)` are limited;
 * webhooks and health are not. Counters are per process (one budget per replica).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (cfg: ConfigOf<typeof appConfig>) => ({
        // The unnamed ("default") throttler makes the guard answer with a plain Retry-After header.
        throttlers: [{ ttl: 60_000, limit: cfg.rateLimitPerMinute }],
      }),
    }),
  ],
  providers: [ChatThrottlerGuard],
  exports: [ThrottlerModule, ChatThrottlerGuard],
})
export class ChatRateLimitModule {}
