import { SessionScript, T0 } from '../../../test/support/proactive-session';
import { evaluate } from './evaluate';
import { ProactiveEngine, type ProactiveEngineOptions } from './proactive-engine';
import type { SessionView } from './proactive.types';
import { parseRulesDocument } from './rules/rules.parser';
import type { RuleSet } from './rules/rule.types';
import { DEFAULT_PROACTIVE_CONFIG } from './config';
import { MemoryProactiveState } from './state/memory.proactive-state';

const s = (n: number) => n * 1000;

function rules(doc: unknown): RuleSet {
  const r = parseRulesDocument(doc, 'test');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.ruleSet;
}

/** A rule that fires on any page after 10 s of dwell, so tests control timing with the clock alone. */
const dwell = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  criteria: { page_dwell: { min_seconds: 10, max_actions: 50 } },
  message: `Hi {firstName}, ${id} on {page}?`,
  quick_replies: ['Show me', 'No thanks'],
  cooldown_seconds: 0,
  ...over,
});

function setup(doc: unknown = { rules: [dwell('tip')] }, opts: Partial<ProactiveEngineOptions> = {}) {
  let n = 0;
  const logged: string[] = [];
  const port = new MemoryProactiveState();
  const engine = new ProactiveEngine({
    state: port,
    rules: rules(doc),
    newId: () => `d${++n}`,
    onDecision: (d) => logged.push(`${d.ruleId}:${d.outcome}${d.reason ? `/${d.reason}` : ''}`),
    ...opts,
  });
  return { engine, port, logged };
}

/** A session sitting on one page since T0. */
const idle = (page = '/reports', over: Partial<SessionView> = {}, name = 'Reports') => new SessionScript().page(page, name).view(over);

describe('ProactiveEngine', () => {
  it('sends one nudge, with the decision the integration needs', async () => {
    const { engine } = setup();
    expect((await engine.evaluate(idle(), T0 + s(5))).nudge).toBeUndefined();
    const r = await engine.evaluate(idle('/reports', { firstName: 'Casey' }), T0 + s(10));
    expect(r.nudge).toMatchObject({ needsJudge: false, slots: expect.any(Array) });
    expect(r.nudge!.decision).toEqual({
      id: 'd1',
      at: T0 + s(10),
      productId: 'acme',
      sessionId: 's1',
      userId: 'u1',
      ruleId: 'tip',
      trigger: 'page_dwell',
      page: '/reports',
      outcome: 'sent',
      evidence: [{ type: 'pageview', title: 'Page Load: Reports', canonicalUrl: '/reports', at: T0 }],
      message: 'Hi Casey, tip on Reports?',
      quickReplies: [
        { label: 'Show me', decline: false },
        { label: 'No thanks', decline: true },
      ],
      mode: 'template',
      intent: undefined,
      judge: false,
    });
    expect(r.decisions).toEqual([r.nudge!.decision]);
  });

  it('evaluates by priority and returns at most one nudge per evaluation', async () => {
    const { engine } = setup({ rules: [dwell('low', { priority: 1 }), dwell('high', { priority: 9 }), dwell('mid', { priority: 5 })] });
    const r = await engine.evaluate(idle(), T0 + s(10));
    expect(r.decisions.map((d) => `${d.ruleId}:${d.outcome}`)).toEqual(['high:sent']);
  });

  it('moves past a rule already sent on this page, and stops at session-wide gates', async () => {
    const { engine } = setup({ rules: [dwell('a', { priority: 2 }), dwell('b', { priority: 1 })] }, { config: { minIntervalSeconds: 0 } });
    const first = await engine.evaluate(idle(), T0 + s(10));
    await engine.markDelivered(first.nudge!, T0 + s(10), { channel: 'crisp' });
    const during = await engine.evaluate(idle(), T0 + s(20));
    expect(during.decisions.map((d) => `${d.ruleId}:${d.reason}`)).toEqual(['a:already_sent', 'b:cooldown']);
    await engine.onNudgeAnswered({ productId: 'acme', sessionId: 's1' }, T0 + s(21), false);
    // Accepted: reactive for 120 s after the answer, then the base cooldown of 60 s.
    expect((await engine.evaluate(idle(), T0 + s(100))).decisions.map((d) => d.reason)).toEqual(['already_sent', 'reactive']);
    expect((await engine.evaluate(idle(), T0 + s(200))).decisions.map((d) => d.reason)).toEqual(['already_sent', 'cooldown']);
    const later = await engine.evaluate(idle(), T0 + s(202));
    expect(later.nudge?.decision.ruleId).toBe('b');
  });

  it('logs suppressions without flooding: the pulse repeating one is logged once', async () => {
    const { engine, logged } = setup();
    await engine.onUserMessage({ productId: 'acme', sessionId: 's1' }, T0);
    for (let t = 10; t <= 60; t += 5) await engine.evaluate(idle(), T0 + s(t));
    expect(logged).toEqual(['tip:suppressed/reactive']);
    const log = await engine.recentDecisions({ productId: 'acme', userId: 'u1', sessionId: 's1' }, T0 + s(61));
    expect(log).toHaveLength(1);
  });

  it('logs a sent nudge when its delivery is reported, with the channel and the text actually sent', async () => {
    const { engine, logged } = setup();
    const r = await engine.evaluate(idle(), T0 + s(10));
    expect(logged).toEqual([]);
    await engine.markDelivered(r.nudge!, T0 + s(12), { channel: 'rasa', message: 'Model-written nudge', llmFailed: false });
    const [entry] = await engine.recentDecisions({ productId: 'acme', userId: 'u1', sessionId: 's1' }, T0 + s(13));
    expect(entry).toMatchObject({ id: 'd1', at: T0 + s(12), outcome: 'sent', channel: 'rasa', message: 'Model-written nudge' });
    expect(entry.reason).toBeUndefined();
  });

  it('records a template fallback after a model failure as sent with reason llm_failed', async () => {
    const { engine } = setup({ rules: [dwell('tip', { mode: 'llm', intent: 'Offer a tip' })] });
    const r = await engine.evaluate(idle(), T0 + s(10));
    expect(r.nudge!.decision).toMatchObject({ mode: 'llm', intent: 'Offer a tip' });
    await engine.markDelivered(r.nudge!, T0 + s(11), { channel: 'crisp', llmFailed: true });
    const [entry] = await engine.recentDecisions({ productId: 'acme', userId: 'u1', sessionId: 's1' }, T0 + s(12));
    expect(entry).toMatchObject({ outcome: 'sent', reason: 'llm_failed', message: 'Hi, tip on Reports?' });
  });

  it('a failed delivery gives the cap slots back and leaves the session as if nothing was decided', async () => {
    const { engine, logged } = setup();
    const r = await engine.evaluate(idle(), T0 + s(10));
    await engine.markFailed(r.nudge!, T0 + s(11), 'no_channel');
    expect(logged).toEqual(['tip:failed/no_channel']);
    const state = await engine.sessionState({ productId: 'acme', sessionId: 's1' }, T0 + s(12));
    expect(state).toMatchObject({ phase: 'thinking', nudgesSent: 0, sentKeys: [] });
    const retry = await engine.evaluate(idle(), T0 + s(12));
    expect(retry.nudge?.decision.ruleId).toBe('tip');
  });

  it('judged rules: the integration asks the model; a "no" is a suppression with the same undo', async () => {
    const { engine, logged } = setup({ rules: [dwell('tip', { judge: true })] });
    const r = await engine.evaluate(idle(), T0 + s(10));
    expect(r.nudge).toMatchObject({ needsJudge: true, decision: { judge: true } });
    await engine.markSuppressed(r.nudge!, T0 + s(11), 'judge_rejected');
    expect(logged).toEqual(['tip:suppressed/judge_rejected']);
    expect((await engine.evaluate(idle(), T0 + s(12))).nudge).toBeDefined();
  });

  describe('caps', () => {
    const view = (session: string, user: string | null = `u-${session}`, start = T0) =>
      new SessionScript(start).page('/reports', 'Reports').view({ sessionId: session, userId: user ?? undefined });

    it('one nudge per session per minIntervalSeconds, whatever the FSM says', async () => {
      const { engine } = setup({ rules: [dwell('a'), dwell('b')] }, { config: { cooldownSeconds: 0, interactionTimeoutSeconds: 1 } });
      await engine.markDelivered((await engine.evaluate(view('s1'), T0 + s(10))).nudge!, T0 + s(10), { channel: 'x' });
      expect((await engine.evaluate(view('s1'), T0 + s(20))).decisions.map((d) => d.reason)).toEqual(['already_sent', 'cap_session']);
      expect((await engine.evaluate(view('s1'), T0 + s(310))).nudge?.decision.ruleId).toBe('b');
    });

    it('per user per day, across sessions', async () => {
      const { engine } = setup(undefined, { config: { maxPerUserPerDay: 2 } });
      for (const sess of ['s1', 's2']) expect((await engine.evaluate(view(sess, 'casey'), T0 + s(10))).nudge).toBeDefined();
      expect((await engine.evaluate(view('s3', 'casey'), T0 + s(10))).decisions[0].reason).toBe('cap_user');
      const nextDay = T0 + s(86_400);
      expect((await engine.evaluate(view('s4', 'casey', nextDay), nextDay + s(10))).nudge).toBeDefined();
      // Anonymous sessions have no user to count against.
      const anon = view('anon', null);
      expect(anon.userId).toBeUndefined();
      expect((await engine.evaluate(anon, T0 + s(10))).nudge).toBeDefined();
    });

    it('per product per minute', async () => {
      const { engine } = setup(undefined, { config: { maxPerProductPerMinute: 3 } });
      const got = [];
      for (let i = 0; i < 5; i++) got.push((await engine.evaluate(view(`s${i}`), T0 + s(10))).decisions[0].outcome);
      expect(got).toEqual(['sent', 'sent', 'sent', 'suppressed', 'suppressed']);
      expect((await engine.evaluate(view('s4'), T0 + s(10))).decisions[0].reason).toBe('cap_product');
      expect((await engine.evaluate(view('s4'), T0 + s(70))).nudge).toBeDefined();
    });

    it('a refused cap costs nothing: the narrower slots taken first are given back', async () => {
      const { engine, port } = setup(undefined, { config: { maxPerProductPerMinute: 1 } });
      await engine.evaluate(view('s1'), T0 + s(10));
      await engine.evaluate(view('s2'), T0 + s(10));
      // s2 was refused by the product cap, so its session slot must still be free.
      expect(await port.tryAcquire('proactive:cap:session:acme:s2', 1, 300, T0 + s(11))).toBe(true);
    });
  });

  it('shadow mode evaluates and records every decision but sends nothing', async () => {
    const { engine, logged } = setup({ settings: { mode: 'shadow' }, rules: [dwell('a', { priority: 2 }), dwell('b')] });
    const r = await engine.evaluate(idle(), T0 + s(10));
    expect(r.nudge).toBeUndefined();
    expect(r.decisions.map((d) => `${d.ruleId}:${d.outcome}/${d.reason}`)).toEqual(['a:suppressed/shadow']);
    await engine.evaluate(idle(), T0 + s(15));
    // Later evaluations behave as if the shadow nudge had gone out (what live mode would do).
    expect(logged).toEqual(['a:suppressed/shadow', 'a:suppressed/already_sent', 'b:suppressed/cooldown']);
  });

  it('the user replying routes through the open nudge’s quick replies', async () => {
    const { engine } = setup();
    const scope = { productId: 'acme', sessionId: 's1' };
    await engine.markDelivered((await engine.evaluate(idle(), T0 + s(10))).nudge!, T0 + s(10), { channel: 'crisp' });
    expect(await engine.onUserReply(scope, 'no thanks', T0 + s(15))).toEqual({ kind: 'declined', reply: { label: 'No thanks', decline: true } });
    expect(await engine.sessionState(scope, T0 + s(16))).toMatchObject({ phase: 'thinking', dismissals: 1, cooldownUntil: T0 + s(15) + s(120) });
    expect(await engine.onUserReply(scope, 'how do I export?', T0 + s(20))).toEqual({ kind: 'message' });
    expect((await engine.sessionState(scope, T0 + s(21)))!.phase).toBe('reactive');
  });

  it('pulse: fires time-based triggers while the user is idle, skips sessions idle past the horizon', async () => {
    const { engine } = setup({ rules: [dwell('tip')] });
    const views = [idle('/a', { sessionId: 'fresh', lastActivityAt: T0 }), idle('/a', { sessionId: 'gone', lastActivityAt: T0 - s(3_600) })];
    const r = await engine.pulse(views, T0 + s(10));
    expect(r).toMatchObject({ evaluated: 1, skipped: 1 });
    expect(r.nudges.map((n) => n.decision.sessionId)).toEqual(['fresh']);
    expect(engine.isPulseCandidate(T0, T0 + s(600))).toBe(true);
    expect(engine.isPulseCandidate(T0, T0 + s(601))).toBe(false);
  });

  it('serialises calls for one session: a batch and a pulse cannot both send', async () => {
    const { engine } = setup(undefined, { config: { minIntervalSeconds: 0 } });
    const [a, b] = await Promise.all([engine.evaluate(idle(), T0 + s(10)), engine.evaluate(idle(), T0 + s(10))]);
    expect([a.nudge, b.nudge].filter(Boolean)).toHaveLength(1);
  });

  it('writes no state for sessions where nothing happened', async () => {
    const { engine, port } = setup();
    await engine.evaluate(idle(), T0 + s(5));
    expect(await port.getSessionState('proactive:state:acme:s1', T0 + s(6))).toBeNull();
  });

  it('keeps evidence bounded and free of raw URLs', async () => {
    const { engine } = setup({ rules: [dwell('tip')] }, { config: { maxEvidence: 3 } });
    const script = new SessionScript();
    for (let i = 0; i < 20; i++) script.act('click', `Clicked 'Row ${i}'`, '/list').actions[i].rawUrl = `https://x.test/list?email=a${i}@b.c`;
    const r = await engine.evaluate(script.view(), script.now + s(10));
    expect(r.nudge!.decision.evidence).toHaveLength(3);
    expect(JSON.stringify(r.nudge!.decision)).not.toContain('email=');
  });

  it('takes its knobs from defaults, then the rules file, then the integration', () => {
    const { engine } = setup({ settings: { min_interval_seconds: 120, max_per_user_per_day: 5 }, rules: [dwell('x')] }, { config: { maxPerUserPerDay: 1 } });
    expect(engine.config).toMatchObject({ minIntervalSeconds: 120, maxPerUserPerDay: 1, maxPerProductPerMinute: 60, pulseSeconds: 5 });
    engine.replaceRules(rules({ rules: [dwell('y')] }));
    expect(engine.config.minIntervalSeconds).toBe(300);
    expect(engine.ruleSet.rules.map((r) => r.id)).toEqual(['y']);
  });
});

describe('evaluate (pure)', () => {
  it('runs without a port or caps and hands back the next state', async () => {
    const r = await evaluate(idle(), null, rules({ rules: [dwell('tip')] }), T0 + s(10), { config: DEFAULT_PROACTIVE_CONFIG, newId: () => 'x' });
    expect(r.nudge?.slots).toEqual([]);
    expect(r.nextState).toMatchObject({ phase: 'proactive', nudgesSent: 1, sentKeys: ['tip@/reports'] });
    const again = await evaluate(idle(), r.nextState, rules({ rules: [dwell('tip')] }), T0 + s(11), { config: DEFAULT_PROACTIVE_CONFIG, newId: () => 'y' });
    expect(again.decisions.map((d) => d.reason)).toEqual(['already_sent']);
  });

  it('works with no options at all, and names a rule made only of conditions after its first condition', async () => {
    const r = await evaluate(idle('/pricing', {}, 'Pricing'), null, rules({ rules: [{ id: 'pricing', criteria: { url_matches: '/pricing' }, message: 'Questions about {page}?' }] }), T0);
    expect(r.nudge!.decision).toMatchObject({ trigger: 'url_matches', page: '/pricing', message: 'Questions about Pricing?' });
    expect(r.nudge!.decision.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does nothing for a session without actions', async () => {
    const r = await evaluate({ ...idle(), actions: [] }, null, rules({ rules: [dwell('tip')] }), T0, { config: DEFAULT_PROACTIVE_CONFIG, newId: () => 'x' });
    expect(r).toEqual({ decisions: [], toLog: [], nextState: null });
  });
});
