/**
 * Proactive engine benchmark. Prints, each next to a reference measured in the same run:
 *  1. evaluation cost per stored batch: 20 rules, 10,000 active sessions (target p99 < 1 ms),
 *     against building the SessionView alone and against the engine with no rules;
 *  2. one pulse over the 10,000 sessions, against building their views without evaluating.
 * Run: node -r ts-node/register/transpile-only bench/proactive.ts
 */
import { MemorySessionStore } from '../src/activity/session-store/memory.session-store';
import type { Action, ActionsEvent } from '../src/activity/activity.types';
import type { SessionScope } from '../src/activity/session-store/session-store.port';
import {
  buildSessionView,
  DEFAULT_RULES_DOCUMENT,
  MemoryProactiveState,
  parseRulesDocument,
  ProactiveEngine,
  type RuleSet,
  type SessionView,
} from '../src/proactive/engine';

const SESSIONS = 10_000;
const BATCHES = 30_000;
const PULSES = 5;
const T0 = 1_800_000_000_000;

const PAGES = ['/dashboard', '/projects', '/projects/:id', '/projects/:id/edit', '/reports', '/settings', '/billing', '/team', '/integrations', '/pricing'];
const LABELS = ['Edit', 'Save changes', 'Back', 'Export CSV', 'Filter', 'Next', 'Invite', 'Settings', 'Billing', 'Refresh', 'Open', 'Close'];

/** 6 default rules + 14 more using every kind of leaf, so all 20 are evaluated on every batch. */
function twentyRules(): RuleSet {
  const extra = [
    { id: 'r-proj-dwell', criteria: { all: [{ url_matches: '/projects/**' }, { page_dwell: { min_seconds: 120 } }] } },
    { id: 'r-billing-pp', criteria: { ping_pong: { url: ['/billing/**', '/settings/**'], min_cycles: 2 } } },
    { id: 'r-export', criteria: { repeated_action: { label: '^export', count: 4 } } },
    { id: 'r-trial', criteria: { all: [{ user_property: { name: 'plan', equals: 'trial' } }, { url_matches: '/pricing' }, { page_dwell: { min_seconds: 30 } }] } },
    { id: 'r-title', criteria: { all: [{ title_matches: 'invite' }, { repeated_action: { count: 5, url: '/team/**' } }] } },
    { id: 'r-any', criteria: { any: [{ error_page: { within_seconds: 30 } }, { rage_click: { clicks: 6 } }] } },
    { id: 'r-not', criteria: { all: [{ not: { url_matches: ['/checkout/**', '/login'] } }, { page_dwell: { min_seconds: 240, max_actions: 2 } }] } },
    { id: 'r-loop', criteria: { repeated_action: { match: 'loop', count: 4, url: '/projects/**' } } },
    { id: 'r-reports', criteria: { all: [{ url_matches: '/reports' }, { repeated_action: { count: 6 } }] } },
    { id: 'r-pp-tight', criteria: { ping_pong: { min_cycles: 5, within_seconds: 60 } } },
    { id: 'r-integrations', criteria: { all: [{ url_matches: '/integrations/**' }, { page_dwell: { min_seconds: 200 } }] } },
    {
      id: 'r-section',
      criteria: {
        section_playbook: {
          section_url_rules: [
            { prefix: '/billing', section_id: 'billing' },
            { prefix: '/integrations', section_id: 'integrations' },
          ],
          section_playbook: { billing: 'Questions about billing?', integrations: 'Connecting a tool?' },
          min_seconds_in_section: 400,
        },
      },
    },
    { id: 'r-errors-strict', criteria: { error_page: { url_patterns: ['/oops/**'], title_pattern: 'crash' } } },
    { id: 'r-deep', criteria: { all: [{ any: [{ url_matches: '/team' }, { url_matches: '/settings/**' }] }, { not: { user_property: { name: 'role', equals: 'admin' } } }, { page_dwell: { min_seconds: 300 } }] } },
  ].map((r) => ({ message: `Tip for {page} (${r.id})`, quick_replies: ['Show me', 'No thanks'], ...r }));
  const doc = { rules: [...DEFAULT_RULES_DOCUMENT.rules, ...extra] };
  const parsed = parseRulesDocument(doc, 'bench');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  if (parsed.ruleSet.rules.length !== 20) throw new Error(`expected 20 rules, got ${parsed.ruleSet.rules.length}`);
  return parsed.ruleSet;
}

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
};

function batch(session: number, at: number, size: number): ActionsEvent {
  const actions: Action[] = [];
  for (let i = 0; i < size; i++) {
    const page = PAGES[rand(PAGES.length)];
    const isView = rand(4) === 0;
    const label = LABELS[rand(LABELS.length)];
    actions.push({
      index: i, type: isView ? 'pageview' : 'click', title: isView ? `Page Load: ${page}` : `Clicked '${label}'`, description: 'bench',
      canonicalUrl: `https://app.bench.test${page}`, rawUrl: `https://app.bench.test${page.replace(':id', String(session))}`,
      timestampStart: (at + i * 700) / 1000, timestampEnd: (at + i * 700) / 1000,
    });
  }
  return { type: 'actions', productId: 'bench', sessionId: `s${session}`, userId: `u${session}`, email: `user${session}@example.com`, actions, count: size, forwardedAt: at / 1000, source: 'test' };
}

function stats(samplesNs: number[]): { p50: number; p99: number; mean: number } {
  const s = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] / 1e6;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length / 1e6 };
}
const fmt = (x: { p50: number; p99: number; mean: number }) => `p50 ${x.p50.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms, mean ${x.mean.toFixed(3)} ms`;
const now = () => process.hrtime.bigint();
const row = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(46)} ${value}\n`);

async function main(): Promise<void> {
  let clock = T0;
  const store = new MemorySessionStore({ lookbackSeconds: 300, maxActions: 30, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400, now: () => clock });
  const rules = twentyRules();
  const engine = new ProactiveEngine({ state: new MemoryProactiveState(), rules });
  const bare = new ProactiveEngine({ state: new MemoryProactiveState(), rules: { rules: [], settings: {}, source: 'none' } });
  const scopes: SessionScope[] = [];

  // 10,000 active sessions with 20 actions each.
  for (let s = 0; s < SESSIONS; s++) {
    for (let b = 0; b < 4; b++) await store.appendActions(batch(s, clock - 60_000 + b * 5_000, 5));
    scopes.push({ productId: 'bench', sessionId: `s${s}` });
  }

  const viewNs: number[] = [];
  const evalNs: number[] = [];
  const bareNs: number[] = [];
  let sent = 0;
  for (let i = 0; i < BATCHES + 2_000; i++) {
    clock += 10;
    const s = rand(SESSIONS);
    await store.appendActions(batch(s, clock - 2_000, 3));
    const t0 = now();
    const ctx = await store.getSessionContext(scopes[s]);
    const view = buildSessionView(ctx!, clock);
    const t1 = now();
    const r = await engine.evaluate(view, clock);
    const t2 = now();
    await bare.evaluate(view, clock);
    const t3 = now();
    if (r.nudge) {
      sent++;
      await engine.markDelivered(r.nudge, clock, { channel: 'bench' });
    }
    if (i >= 2_000) {
      viewNs.push(Number(t1 - t0));
      evalNs.push(Number(t2 - t1));
      bareNs.push(Number(t3 - t2));
    }
  }
  process.stdout.write(`Per stored batch (${BATCHES.toLocaleString()} batches of 3 actions, ${SESSIONS.toLocaleString()} sessions x ~20-30 actions, ${rules.rules.length} rules, ${sent} nudges sent):\n`);
  row('reference: getSessionContext + buildSessionView', fmt(stats(viewNs)));
  row('reference: engine.evaluate, empty rule set', fmt(stats(bareNs)));
  row('engine.evaluate, 20 rules', fmt(stats(evalNs)));

  const viewsMs: number[] = [];
  const pulseMs: number[] = [];
  let evaluated = 0;
  for (let p = 0; p < PULSES + 1; p++) {
    clock += 5_000;
    const a = now();
    const views: SessionView[] = [];
    for (const scope of scopes) {
      const ctx = await store.getSessionContext(scope);
      if (ctx) views.push(buildSessionView(ctx, clock));
    }
    const b = now();
    const r = await engine.pulse(views, clock);
    const c = now();
    for (const n of r.nudges) await engine.markDelivered(n, clock, { channel: 'bench' });
    evaluated = r.evaluated;
    if (p > 0) {
      viewsMs.push(Number(b - a) / 1e6);
      pulseMs.push(Number(c - b) / 1e6);
    }
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  process.stdout.write(`Pulse over ${SESSIONS.toLocaleString()} sessions (${evaluated.toLocaleString()} evaluated, ${PULSES} pulses, median / max):\n`);
  row(`reference: build the ${SESSIONS.toLocaleString()} views`, `${med(viewsMs).toFixed(1)} ms / ${Math.max(...viewsMs).toFixed(1)} ms`);
  row('engine.pulse, 20 rules (views already built)', `${med(pulseMs).toFixed(1)} ms / ${Math.max(...pulseMs).toFixed(1)} ms`);
  await store.close();
}

void main();
