import type { DynamicModule } from '@nestjs/common';
import type { ConsoleDecision } from './console/console-decisions.port';
import type { ConsoleDecisionsBinding } from './console/console.module';
import { ProactiveDecisionLog, type ProactiveDecision } from './proactive';

/**
 * Composition-root glue (console/ and proactive/ never import each other): the console's
 * CONSOLE_DECISIONS provider read from the proactive engine's decision log. `proactive`
 * must be the very module object AppModule imports, so Nest builds one engine, not two.
 */
export function consoleDecisionsFrom(proactive: DynamicModule): ConsoleDecisionsBinding {
  return {
    imports: [proactive],
    inject: [ProactiveDecisionLog],
    useFactory: (log: ProactiveDecisionLog) => ({
      listForUser: async (userId: string, limit: number) => (await log.listForUser(userId, limit)).map(toConsoleDecision),
    }),
  };
}

export function toConsoleDecision(d: ProactiveDecision): ConsoleDecision {
  return {
    at: d.at,
    ruleId: d.ruleId,
    outcome: d.outcome,
    reason: d.reason,
    channel: d.channel,
    message: d.message,
    evidence: d.evidence.map((e) => ({ at: e.at, label: e.title || e.type, canonicalUrl: e.canonicalUrl })),
  };
}
