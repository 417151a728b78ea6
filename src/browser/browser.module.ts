import { Module } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ActivityModule } from '../activity/activity.module';
import { RedisThrottlerStorage } from '../common/rate-limit/redis.throttler-storage';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { CopilotModule } from '../copilot/copilot.module';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import { BrowserAccessGuard } from './browser-access.guard';
import { BROWSER_THROTTLER_STORAGE } from './browser.constants';
import { BrowserChatController } from './browser-chat.controller';
import { BrowserEventsController } from './browser-events.controller';
import { BrowserStreamController } from './browser-stream.controller';
import { BrowserStreams } from './browser-streams';
import { WidgetController } from './widget.controller';

/**
 * The browser snippet and the endpoints it calls (mounted only when browserConfig.enabled:
 * USER_TOKEN_SECRET set). CORS for BROWSER_ALLOWED_ORIGINS is installed in bootstrap.ts,
 * ahead of the body parser, so preflights never reach a guard.
 */
@Module({
  imports: [ActivityModule, CopilotModule],
  controllers: [WidgetController, BrowserEventsController, BrowserChatController, BrowserStreamController],
  providers: [
    BrowserStreams,
    {
      provide: BROWSER_THROTTLER_STORAGE,
      inject: [storeConfig.KEY, REDIS_CONNECTION],
      // STORE=redis: one budget per user and per IP across every replica; memory: per process.
      useFactory: (store: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): ThrottlerStorage =>
        store.driver === 'redis' && redis ? new RedisThrottlerStorage({ connection: redis }) : new ThrottlerStorageService(),
    },
    BrowserAccessGuard,
  ],
})
export class BrowserModule {}
