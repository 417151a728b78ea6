import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { ActivityModule } from './activity/activity.module';
import { ActivitySourcesModule } from './activity/sources/activity-sources.module';
import { ChannelsModule } from './channels/channels.module';
import { AllExceptionsFilter } from './common/http-exception.filter';
import { buildLoggerParams } from './common/logger.options';
import { createValidationPipe } from './common/validation.pipe';
import { ALL_NAMESPACES, kbConfig } from './config/config.namespaces';
import { browserEndpointsOn, enabledSources } from './config/env.rules';
import { BrowserModule } from './browser/browser.module';
import { DemoModule } from './demo/demo.module';
import { loadEnv, type EnvSource } from './config/load-env';
import { ConsoleModule } from './console/console.module';
import { consoleDecisionsFrom } from './console-decisions.binding';
import { CopilotModule } from './copilot/copilot.module';
import { ActivityPageContext } from './copilot/page-context';
import { HealthModule } from './health/health.module';
import { KbModule } from './kb';
import { LlmModule } from './llm/llm.module';
import { ObservabilityModule } from './observability/observability.module';
import { ProactiveModule, loadProactiveRules } from './proactive';
import { RecentErrors } from './observability/recent-errors';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { StateModule } from './state/state.module';
import { SummarizerModule } from './summarizer/summarizer.module';
import { UserEventsModule } from './user-events/user-events.module';

/**
 * Composition root. `forRoot` validates the environment once (a bad value throws
 * ConfigValidationError naming the variable) and wires only the parts it enables.
 */
@Module({})
export class AppModule {
  static forRoot(source: EnvSource = {}): DynamicModule {
    const env = loadEnv(source);
    // Validated before anything is built: a bad rules file stops the boot (RulesFileError names each rule and field).
    const proactiveRules = env.PROACTIVE === 'off' ? undefined : loadProactiveRules(env.PROACTIVE_RULES_FILE);
    const proactive = proactiveRules ? ProactiveModule.register(proactiveRules) : undefined;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, load: ALL_NAMESPACES.map((n) => n.register(env)) }),
        LoggerModule.forRootAsync({ inject: [RecentErrors], useFactory: (errors: RecentErrors) => buildLoggerParams(env.LOG_LEVEL, errors) }),
        ObservabilityModule,
        RedisModule,
        StateModule,
        QueueModule,
        UserEventsModule,
        LlmModule,
        ActivityModule,
        ActivitySourcesModule.register(enabledSources(env)),
        SummarizerModule.register(env.SUMMARIZER),
        // Off (a disabled KbService, no routes) without KB_DIR. Where a user is now comes from the activity.
        KbModule.register(kbConfig.build(env), { imports: [ActivityModule], pageContext: { useClass: ActivityPageContext } }),
        CopilotModule,
        ChannelsModule.register(env.CHANNELS),
        // Off by default: without it no evaluation runs and GET /v1/users/:userId/proactive is 404.
        ...(proactive ? [proactive] : []),
        HealthModule,
        // Off (404) without USER_TOKEN_SECRET: a browser is accepted only with a user token.
        ...(browserEndpointsOn(env) ? [BrowserModule] : []),
        ...(env.DEMO ? [DemoModule] : []),
        // The console shows the engine's decisions when it runs ("proactive engine off" otherwise).
        ConsoleModule.register(proactive ? { decisions: consoleDecisionsFrom(proactive) } : {}),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
