import { readFileSync } from 'node:fs';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ActivityModule } from '../../activity/activity.module';
import { proactiveConfig, storeConfig, type ConfigOf } from '../../config/config.namespaces';
import { CopilotModule } from '../../copilot/copilot.module';
import { REDIS_CONNECTION } from '../../redis/redis.constants';
import { ProactiveEngine, RulesFileError, defaultRules, parseRulesText, type ProactiveConfig, type ProactiveStatePort, type RuleSet } from '../engine';
import { ProactiveDecisionLog } from './decision-log';
import { NudgeDelivery } from './nudge-delivery';
import { ProactiveController } from './proactive.controller';
import { ACTIVE_SESSIONS, DEFAULT_PROACTIVE_DELIVERY_POLICY, PROACTIVE_DELIVERY_POLICY, PROACTIVE_ENGINE, PROACTIVE_STATE } from './proactive.constants';
import { ProactiveRunner } from './proactive-runner';
import { ReachDirectory } from './reach-directory';
import { createActiveSessions, createProactiveState } from './state/proactive-state.factory';

/** Env values that win over the rules file's `settings`; unset ones leave the file (or the defaults) in force. */
export function engineOverrides(cfg: ConfigOf<typeof proactiveConfig>): Partial<ProactiveConfig> {
  return {
    mode: cfg.mode === 'shadow' ? 'shadow' : 'live',
    minIntervalSeconds: cfg.minIntervalSeconds,
    maxPerUserPerDay: cfg.maxPerUserPerDay,
    maxPerProductPerMinute: cfg.maxPerProductPerMinute,
    pulseSeconds: cfg.pulseSeconds,
  };
}

/**
 * The rules in force: PROACTIVE_RULES_FILE validated (RulesFileError lists every problem,
 * naming rule and field), or the built-in defaults. Synchronous, so AppModule.forRoot
 * refuses a bad file before any connection is opened.
 */
export function loadProactiveRules(file: string | undefined): RuleSet {
  if (!file) return defaultRules();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RulesFileError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  return parseRulesText(text, file);
}

const PROACTIVE_RULES = Symbol('PROACTIVE_RULES');

/**
 * PROACTIVE=on|shadow: the engine wired into the app. Rules are loaded and validated at
 * boot (a RulesFileError, naming each rule and field, stops it); state lives behind
 * PROACTIVE_STATE (memory or Redis by STORE); nudges go out through the channels'
 * ProactiveSenders via JOB_QUEUE; GET /v1/users/:userId/proactive shows why.
 */
@Module({})
export class ProactiveModule implements OnApplicationShutdown {
  constructor(@Inject(PROACTIVE_STATE) private readonly state: ProactiveStatePort) {}

  static register(rules: RuleSet): DynamicModule {
    return {
      module: ProactiveModule,
      imports: [ActivityModule, CopilotModule],
      controllers: [ProactiveController],
      providers: [
        { provide: PROACTIVE_RULES, useValue: rules },
        { provide: PROACTIVE_STATE, inject: [storeConfig.KEY, REDIS_CONNECTION], useFactory: createProactiveState },
        { provide: ACTIVE_SESSIONS, inject: [storeConfig.KEY, REDIS_CONNECTION], useFactory: createActiveSessions },
        { provide: PROACTIVE_DELIVERY_POLICY, useValue: DEFAULT_PROACTIVE_DELIVERY_POLICY },
        ProactiveDecisionLog,
        {
          provide: PROACTIVE_ENGINE,
          inject: [proactiveConfig.KEY, PROACTIVE_STATE, ProactiveDecisionLog, PROACTIVE_RULES],
          useFactory: (cfg: ConfigOf<typeof proactiveConfig>, state: ProactiveStatePort, log: ProactiveDecisionLog, ruleSet: RuleSet) => {
            const engine = new ProactiveEngine({ state, rules: ruleSet, config: engineOverrides(cfg), onDecision: (d) => log.record(d) });
            log.attach(engine);
            return engine;
          },
        },
        ReachDirectory,
        NudgeDelivery,
        ProactiveRunner,
      ],
      exports: [ProactiveDecisionLog],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.state.close();
  }
}

