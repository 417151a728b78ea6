import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The import arrows of docs/architecture.md are ESLint rules (eslint.config.mjs). These
 * cases prove the rules bite: each "refused" import breaks an arrow and must be reported.
 * ESLint's config is ESM, so the cases run through the real ESLint in a child process.
 */
const ROOT = join(__dirname, '..');

const refused: Array<[string, string, RegExp]> = [
  ['src/channels/crisp/x.ts', "import { SESSION_STORE } from '../../activity/activity.constants';", /channels\/ depend on copilot/],
  ['src/channels/rasa/x.ts', "import { ActivityReader } from '../../activity/activity-reader.service';", /channels\/ depend on copilot/],
  ['src/channels/crisp/x.ts', "import { MemoryJobQueue } from '../../queue/memory.job-queue';", /port implementation/],
  ['src/channels/x.ts', "import { RedisDeadLetterStore } from '../queue/redis.dead-letter.store';", /port implementation/],
  ['src/copilot/x.ts', "import { BullMqJobQueue } from '../queue/bullmq.job-queue';", /ActivityReader only/],
  ['src/channels/rest/x.ts', "import { RasaActionsService } from '../rasa/rasa-actions.service';", /another channel's folder/],
  ['src/llm/x.ts', "import { CopilotService } from '../copilot/copilot.service';", /llm\/ knows nothing/],
  ['src/llm/x.ts', "import type { StoredAction } from '../activity/session-store/session-store.port';", /llm\/ knows nothing/],
  ['src/common/x.ts', "import { CopilotService } from '../copilot/copilot.service';", /no feature module/],
  ['src/config/x.ts', "import { clip } from '../common/text';", /imports no other part/],
  ['src/copilot/x.ts', "import { SESSION_STORE } from '../activity/activity.constants';", /ActivityReader only/],
  ['src/summarizer/x.ts', "import { MemorySessionStore } from '../activity/session-store/memory.session-store';", /ActivityReader/],
  ['src/activity/x.ts', "import { CopilotService } from '../copilot/copilot.service';", /bottom feature/],
  ['src/kb/x.ts', "import { ActivityReader } from '../activity/activity-reader.service';", /kb\/ knows nothing/],
  ['src/kb/http/x.ts', "import { CopilotService } from '../../copilot/copilot.service';", /kb\/ knows nothing/],
  ['src/channels/rest/x.ts', "import { KbService } from '../../kb';", /channels\/ may not import/],
  ['src/proactive/engine/x.ts', "import { Injectable } from '@nestjs/common';", /framework-free/],
  ['src/proactive/integration/x.ts', "import { CrispApiClient } from '../../channels/crisp/crisp-api.client';", /channel's folder/],
  ['src/proactive/integration/x.ts', "import { ReplyPipeline } from '../../channels/reply-pipeline.service';", /channel's folder/],
  ['src/proactive/integration/x.ts', "import { SESSION_STORE } from '../../activity/activity.constants';", /ActivityReader/],
  ['src/browser/x.ts', "import { ReplyPipeline } from '../channels/reply-pipeline.service';", /browser\/ may use activity, copilot/],
  ['src/browser/x.ts', "import { SESSION_STORE } from '../activity/activity.constants';", /never a store, a source/],
  ['src/browser/x.ts', "import { MemoryUserEventBus } from '../user-events/memory.user-event-bus';", /port implementation/],
  ['src/demo/x.ts', "import { BrowserStreams } from '../browser/browser-streams';", /demo\/ may use activity and copilot/],
  ['src/console/x.ts', "import { MemorySessionStore } from '../activity/session-store/memory.session-store';", /console\/ reads activity through ActivityReader/],
  ['src/console/x.ts', "import { ProactiveEngine } from '../proactive/engine';", /console\/ may use activity and copilot/],
];

const allowed: Array<[string, string]> = [
  ['src/channels/crisp/x.ts', "import { CopilotService } from '../../copilot/copilot.service';"],
  ['src/channels/crisp/x.ts', "import type { JobQueue } from '../../queue/job-queue.port';"],
  ['src/copilot/x.ts', "import { ActivityReader } from '../activity/activity-reader.service';"],
  ['src/summarizer/x.ts', "import { StoredActionsFeed } from '../activity/stored-actions.feed';"],
  ['src/copilot/x.ts', "import { KbService } from '../kb';"],
  ['src/kb/x.ts', "import { MetricsService } from '../observability/metrics.service';"],
  ['src/proactive/integration/x.ts', "import { PROACTIVE_SENDERS } from '../../channels/proactive-sender.port';"],
  ['src/proactive/integration/x.ts', "import { StoredActionsFeed } from '../../activity/stored-actions.feed';"],
  ['src/browser/x.ts', "import { ActivityIngestService } from '../activity/activity-ingest.service';"],
  ['src/browser/x.ts', "import type { UserEventBus } from '../user-events/user-event-bus.port';"],
  ['src/demo/x.ts', "import { userTokenFor } from '../copilot/identity-verifier';"],
  ['src/console/x.ts', "import { ActivityReader } from '../activity/activity-reader.service';"],
  ['src/console/x.ts', "import { CopilotService } from '../copilot/copilot.service';"],
];

const LINT_CASES = `
const { ESLint } = require('eslint');
const cases = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of cases) {
    const [r] = await eslint.lintText(code, { filePath: require('node:path').join(process.cwd(), file) });
    out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

describe('module boundaries (ESLint)', () => {
  let results: string[][];
  beforeAll(() => {
    const cases = [...refused.map(([f, c]) => [f, c]), ...allowed];
    results = JSON.parse(execFileSync(process.execPath, ['-e', LINT_CASES, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' }));
  }, 60_000);

  it.each(refused.map((c, i) => [...c, i] as const))('%s: %s is refused', (_file, _code, message, i) => {
    expect(results[i].join('\n')).toMatch(message);
  });

  it.each(allowed.map((c, i) => [...c, refused.length + i] as const))('%s: %s is allowed', (_file, _code, i) => {
    expect(results[i]).toEqual([]);
  });
});
