import { DEFAULT_PROACTIVE_CONFIG as cfg } from '../config';
import {
  cooldownMs,
  initialState,
  noteSuppression,
  onNudgeAnswered,
  onNudgeDelivered,
  onNudgeSent,
  onNudgeUndone,
  onUserMessage,
  parseState,
  ruleGate,
  serialiseState,
  sessionGate,
  tick,
  type SessionProactiveState,
} from './session-fsm';

const T0 = 1_800_000_000_000;
const s = (n: number) => n * 1000;
const send = (state: SessionProactiveState, at: number, id = 'd1', ruleId = 'r', scope = '/p') =>
  onNudgeSent(state, at, { decisionId: id, ruleId, sentKey: `${ruleId}@${scope}`, expectsAnswer: true, quickReplies: [] });

describe('session state machine', () => {
  it('thinking → proactive on a nudge; no other nudge while it is open', () => {
    const st = send(initialState(T0), T0);
    expect(st).toMatchObject({ phase: 'proactive', nudgesSent: 1, sentKeys: ['r@/p'] });
    expect(sessionGate(st, T0 + s(10), cfg)).toBe('cooldown');
  });

  it('back to thinking after the interaction timeout, then a cooldown before the next nudge', () => {
    const sent = send(initialState(T0), T0);
    expect(tick(sent, T0 + s(60), cfg)).toBe(sent);
    const after = tick(sent, T0 + s(61), cfg);
    // Ignored: the timeout is measured from the send, and the cooldown has already doubled.
    expect(after).toMatchObject({ phase: 'thinking', phaseSince: T0 + s(60), dismissals: 1, cooldownUntil: T0 + s(60) + s(120) });
    expect(sessionGate(after, T0 + s(179), cfg)).toBe('cooldown');
    expect(sessionGate(after, T0 + s(180), cfg)).toBeUndefined();
  });

  it('measures the answer window from delivery when delivery was reported', () => {
    const delivered = onNudgeDelivered(send(initialState(T0), T0), 'd1', T0 + s(8));
    expect(tick(delivered, T0 + s(65), cfg).phase).toBe('proactive');
    expect(tick(delivered, T0 + s(69), cfg).phase).toBe('thinking');
    expect(onNudgeDelivered(delivered, 'other', T0 + s(9))).toBe(delivered);
  });

  it('each ignored or declined nudge makes the next cooldown longer, up to the maximum', () => {
    expect([0, 1, 2, 3].map((d) => cooldownMs(d, cfg) / 1000)).toEqual([60, 120, 240, 480]);
    expect(cooldownMs(20, cfg)).toBe(s(3_600));
    let st = send(initialState(T0), T0);
    st = onNudgeAnswered(st, T0 + s(5), true, cfg);
    expect(st).toMatchObject({ phase: 'thinking', dismissals: 1, cooldownUntil: T0 + s(5) + s(120) });
    st = send(st, T0 + s(200), 'd2', 'r2');
    st = onNudgeAnswered(st, T0 + s(210), true, cfg);
    expect(st).toMatchObject({ dismissals: 2, cooldownUntil: T0 + s(210) + s(240) });
  });

  it('an accepted nudge costs nothing: the user is talking to the bot (reactive)', () => {
    const st = onNudgeAnswered(send(initialState(T0), T0), T0 + s(5), false, cfg);
    expect(st).toMatchObject({ phase: 'reactive', dismissals: 0, lastUserMessageAt: T0 + s(5), outstanding: undefined });
  });

  it('after three ignored or declined nudges in a session, no more', () => {
    let st = initialState(T0);
    for (let i = 0; i < 3; i++) {
      st = send(st, T0 + s(1_000 * i), `d${i}`, `r${i}`);
      st = tick(st, T0 + s(1_000 * i + 61), cfg);
    }
    expect(st.dismissals).toBe(3);
    expect(sessionGate(st, T0 + s(100_000), cfg)).toBe('max_nudges');
  });

  it('also caps the number of nudges per session, answered or not', () => {
    let st = initialState(T0);
    for (let i = 0; i < cfg.maxNudgesPerSession; i++) st = onNudgeAnswered(send(st, T0 + i, `d${i}`, `r${i}`), T0 + i, false, cfg);
    expect(sessionGate(st, T0 + s(100_000), cfg)).toBe('max_nudges');
  });

  it('a late "no" after the answer window closed is not counted twice', () => {
    const timedOut = tick(send(initialState(T0), T0), T0 + s(61), cfg);
    expect(onNudgeAnswered(timedOut, T0 + s(70), true, cfg)).toBe(timedOut);
  });

  it('the user writing puts the session in reactive, which suppresses nudges until it times out', () => {
    let st = onUserMessage(initialState(T0), T0);
    expect(sessionGate(st, T0 + s(60), cfg)).toBe('reactive');
    st = onUserMessage(st, T0 + s(100));
    expect(tick(st, T0 + s(220), cfg).phase).toBe('reactive');
    const back = tick(st, T0 + s(221), cfg);
    expect(back).toMatchObject({ phase: 'thinking', phaseSince: T0 + s(220), cooldownUntil: T0 + s(280) });
    expect(sessionGate(back, T0 + s(280), cfg)).toBeUndefined();
  });

  it('writing while a nudge is open answers it (not ignored)', () => {
    const st = tick(onUserMessage(send(initialState(T0), T0), T0 + s(10)), T0 + s(500), cfg);
    expect(st).toMatchObject({ phase: 'thinking', dismissals: 0 });
  });

  it('does not repeat an identical trigger (same rule, same page) in a session, and honours the rule cooldown', () => {
    const st = tick(send(initialState(T0), T0, 'd1', 'dwell', '/reports'), T0 + s(1_000), cfg);
    expect(ruleGate(st, 'dwell', 'dwell@/reports', 0, T0 + s(5_000))).toBe('already_sent');
    expect(ruleGate(st, 'dwell', 'dwell@/billing', 900, T0 + s(899))).toBe('cooldown');
    expect(ruleGate(st, 'dwell', 'dwell@/billing', 900, T0 + s(900))).toBeUndefined();
    expect(ruleGate(st, 'other', 'other@/reports', 900, T0 + s(1))).toBeUndefined();
  });

  it('undoing a nudge that never reached the user restores the session', () => {
    const before = initialState(T0);
    const undone = onNudgeUndone(send(before, T0), 'd1', T0 + s(1));
    expect(undone).toMatchObject({ phase: 'thinking', nudgesSent: 0, sentKeys: [], ruleSentAt: {}, outstanding: undefined, cooldownUntil: 0 });
    const withEarlier = onNudgeUndone(send({ ...before, ruleSentAt: { r: T0 - 5 } }, T0), 'd1', T0 + 1, T0 - 5);
    expect(withEarlier.ruleSentAt).toEqual({ r: T0 - 5 });
    const other = send(before, T0);
    expect(onNudgeUndone(other, 'someone-else', T0)).toBe(other);
  });

  it('in shadow mode an unanswered nudge is not held against the user', () => {
    const shadow = onNudgeSent(initialState(T0), T0, { decisionId: 'd', ruleId: 'r', sentKey: 'r@/p', expectsAnswer: false, quickReplies: [] });
    expect(tick(shadow, T0 + s(61), cfg)).toMatchObject({ phase: 'thinking', dismissals: 0, cooldownUntil: T0 + s(120) });
  });

  it('logs a suppression once, again when the reason changes or after a while', () => {
    let st = initialState(T0);
    let r = noteSuppression(st, 'r@/p', 'cooldown', T0, 300);
    expect(r.log).toBe(true);
    st = r.state;
    expect(noteSuppression(st, 'r@/p', 'cooldown', T0 + s(5), 300)).toEqual({ state: st, log: false });
    expect(noteSuppression(st, 'r@/p', 'cap_session', T0 + s(5), 300).log).toBe(true);
    expect(noteSuppression(st, 'r@/p', 'cooldown', T0 + s(300), 300).log).toBe(true);
    r = { state: st, log: true };
    for (let i = 0; i < 80; i++) r = noteSuppression(r.state, `k${i}`, 'cooldown', T0, 300);
    expect(Object.keys(r.state.suppressions)).toHaveLength(50);
  });

  it('serialises to JSON and back (wall-clock times, so it survives restarts and replicas)', () => {
    const st = onNudgeDelivered(send(initialState(T0), T0), 'd1', T0 + 5);
    expect(parseState(serialiseState(st))).toEqual(st);
    expect(parseState('{"v":2,"phase":"thinking"}')).toBeNull();
    expect(parseState('not json')).toBeNull();
    expect(parseState('{"v":1,"phase":"lost","phaseSince":1,"cooldownUntil":0,"sentKeys":[]}')).toBeNull();
  });
});
