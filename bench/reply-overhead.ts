/**
 * Reply-overhead benchmark (issue 5): the time CopilotService.reply() spends outside
 * the LLM — user lookup, context assembly across 3 sessions x 30 actions, capping,
 * prompt building, conversation history and watermark — for one user among 10,000
 * tracked sessions. The provider answers instantly, so only our own work is timed.
 * Run: npx ts-node bench/reply-overhead.ts
 */
import { Logger } from '@nestjs/common';
import type { Action, ActionsEvent } from '../src/activity/activity.types';
import { MemorySessionStore } from '../src/activity/session-store/memory.session-store';
import { ActivityReader } from '../src/activity/activity-reader.service';
import { ContextAssembler } from '../src/copilot/context-assembler';
import { CopilotService } from '../src/copilot/copilot.service';
import { MemoryConversationStore } from '../src/copilot/memory.conversation-store';
import { MetricsService } from '../src/observability/metrics.service';
import type { LlmProvider, LlmRequest, LlmResponse } from '../src/llm/llm.port';

Logger.overrideLogger(false);

const SESSIONS = 10_000;
const ACTIONS = 30;
const ITERATIONS = 20_000;
const WARMUP = 2_000;

/** Answers at once: the LLM's own latency is not ours to measure here. */
class InstantProvider implements LlmProvider {
  readonly name = 'instant';
  promptChars = 0;
  async complete(req: LlmRequest): Promise<LlmResponse> {
    this.promptChars = req.system.length + req.messages.reduce((n, m) => n + m.content.length, 0);
    return { text: 'Sure — open the invite dialog and enter their email.', model: 'instant' };
  }
}

const action = (s: number, i: number): Action => ({
  index: i, type: i % 3 === 0 ? 'pageview' : 'click', title: `Clicked 'Button ${i}' in section ${s % 13}`,
  description: `User clicked button ${i} on the settings page`, canonicalUrl: `/settings/section-${i % 7}`,
  rawUrl: `https://app.example.com/settings/section-${i % 7}?tab=${i}`, timestampStart: 1_700_000_000 + i, timestampEnd: 1_700_000_001 + i,
});

const event = (productId: string, sessionId: string, userId: string, email: string, s: number): ActionsEvent => {
  const actions = Array.from({ length: ACTIONS }, (_, i) => action(s, i));
  return { type: 'actions', productId, sessionId, userId, email, actions, count: actions.length, forwardedAt: 1_700_000_000, source: 'test' };
};

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const sessions = new MemorySessionStore({
    lookbackSeconds: 3_600, maxActions: ACTIONS, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400,
  });
  // 9,997 other users' sessions, then the user's 3 sessions (the newest activity).
  for (let s = 0; s < SESSIONS - 3; s++) await sessions.appendActions(event(s % 2 ? 'acme' : 'globex', `s-${s}`, `u-${s}`, `user${s}@example.com`, s));
  for (let k = 0; k < 3; k++) await sessions.appendActions(event('acme', `jane-${k}`, 'u-jane', 'jane.doe@example.com', k));
  const tracked = await sessions.stats();

  const conversations = new MemoryConversationStore({ maxConversations: 100_000 });
  const copilotCfg = { historyTurns: 10, maxContextChars: 6_000, lookbackSeconds: 3_600 };
  const llm = new InstantProvider();
  const copilot = new CopilotService(new ContextAssembler(new ActivityReader(sessions), conversations, copilotCfg), llm, conversations, copilotCfg, new MetricsService());

  const turn = (i: number) => ({ channel: 'rest' as const, conversationId: 'bench-conv', userId: 'u-jane', text: `How do I invite a teammate? (${i})` });
  for (let i = 0; i < WARMUP; i++) await copilot.reply(turn(i));

  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    await copilot.reply(turn(i));
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;

  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(`reply() overhead, excluding the LLM — Node ${process.version}`);
  console.log(`  tracked: ${tracked.sessionsTracked} sessions, ${tracked.usersTracked} users; user has 3 sessions x ${ACTIONS} actions; history 10 turns`);
  console.log(`  prompt size: ${llm.promptChars} chars (MAX_CONTEXT_CHARS=${copilotCfg.maxContextChars})`);
  console.log(`  iterations: ${ITERATIONS} (after ${WARMUP} warm-up)`);
  console.log(`  p50  ${fmt(pct(sorted, 50))}   (target < 1 ms)`);
  console.log(`  p99  ${fmt(pct(sorted, 99))}   (target < 5 ms)`);
  console.log(`  mean ${fmt(mean)}   max ${fmt(sorted[sorted.length - 1])}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
