import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnModuleInit } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { CopilotModule } from '../copilot/copilot.module';
import { ConsoleAssets } from './console-assets';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleAuth } from './console-auth.service';
import { ConsoleData } from './console-data.service';
import type { ConsoleDecisions } from './console-decisions.port';
import { ConsoleStreams } from './console-streams';
import { CONSOLE_DECISIONS } from './console.constants';
import { ConsoleController } from './console.controller';
import { ConsoleGuard } from './console.guard';
import { ReplyRates } from './reply-rates';

/** How the proactive engine hands the console its decisions (a factory for CONSOLE_DECISIONS, and the modules it needs). */
export type ConsoleDecisionsBinding = Omit<FactoryProvider<ConsoleDecisions | null>, 'provide'> & { imports?: ModuleMetadata['imports'] };

/**
 * The operator console at /console: live sessions, a user's timeline, the system page.
 * Always mounted, answering 404 until CONSOLE_USERS or CONSOLE_TOKEN is set. Decisions
 * come from `register({ decisions })`; without a binding CONSOLE_DECISIONS is null and the
 * pages say "proactive engine off".
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly rates: ReplyRates) {}

  static register(opts: { decisions?: ConsoleDecisionsBinding } = {}): DynamicModule {
    const { imports = [], ...factory } = opts.decisions ?? { useFactory: () => null };
    return {
      module: ConsoleModule,
      imports: [ActivityModule, CopilotModule, ...imports],
      controllers: [ConsoleController, ConsoleAuthController],
      providers: [ConsoleAuth, ConsoleGuard, ConsoleData, ConsoleStreams, ConsoleAssets, ReplyRates, { provide: CONSOLE_DECISIONS, ...factory }],
    };
  }

  onModuleInit(): void {
    // Every replica adds its counts to the deployment's chart (two small writes every few seconds),
    // a worker configured without console credentials too: the page is served by web replicas.
    this.rates.start();
  }
}
