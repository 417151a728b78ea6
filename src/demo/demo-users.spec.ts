import { join } from 'node:path';
import { evaluate, initialState, loadRulesFile, type RuleSet, type SessionProactiveState } from '../proactive/engine';
import type { SessionView } from '../proactive/engine/proactive.types';
import { DEMO_PRODUCT_ID, DEMO_USERS, type DemoUser } from './demo-users';
import { canonicalDemoPath } from './demo-paths';

const STEP_MS = 3_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

/**
 * Plays one round of a simulated user's script, one step per DEMO_STEP_MS and then its rest,
 * through the proactive engine with the demo rules (an evaluation after every step, as on
 * "actions stored", and one per step while resting, as the pulse does). Returns the rules that sent.
 */
async function nudgesFor(user: DemoUser, rules: RuleSet): Promise<string[]> {
  const actions: SessionView['actions'] = [];
  let state: SessionProactiveState | null = initialState(T0);
  const sent: string[] = [];
  for (let i = 0; i < user.steps.length + user.restSteps; i++) {
    const now = T0 + i * STEP_MS;
    const s = user.steps[i];
    if (s) actions.push({ type: s.type, title: s.title, canonicalUrl: canonicalDemoPath(s.path), at: now });
    const view: SessionView = { productId: DEMO_PRODUCT_ID, sessionId: `${user.userId}-1`, userId: user.userId, firstName: 'Pat', actions: [...actions], lastActivityAt: actions[actions.length - 1].at };
    const result = await evaluate(view, state, rules, now);
    state = result.nextState;
    if (result.nudge) sent.push(result.nudge.decision.ruleId);
  }
  return sent;
}

describe('demo users against examples/demo/rules.yml', () => {
  let rules: RuleSet;
  beforeAll(async () => {
    rules = await loadRulesFile(join(__dirname, '../../examples/demo/rules.yml'));
  });

  it.each(DEMO_USERS.filter((u) => u.expectedRule).map((u) => [u.userId, u.story, u]))('%s (%s) gets the rule written for them first', async (_id, _story, user) => {
    const sent = await nudgesFor(user as DemoUser, rules);
    expect(sent[0]).toBe((user as DemoUser).expectedRule);
  });

  it('leaves the user who is fine alone', async () => {
    const fine = DEMO_USERS.find((u) => !u.expectedRule)!;
    expect(await nudgesFor(fine, rules)).toEqual([]);
  });

  it('has a rule for every story, and the bulk-edit rule is a repeated_action rule', () => {
    const ids = rules.rules.map((r) => r.id);
    for (const u of DEMO_USERS) if (u.expectedRule) expect(ids).toContain(u.expectedRule);
    expect(JSON.stringify(rules.rules.find((r) => r.id === 'demo-bulk-edit')!.criteria)).toContain('repeated_action');
  });
});
