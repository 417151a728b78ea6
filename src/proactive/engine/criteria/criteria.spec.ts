import { SessionScript } from '../../../../test/support/proactive-session';
import type { IssueSink } from '../issues';
import { factsOf } from '../view-facts';
import { evaluateCriteria } from './criteria.evaluator';
import { criteriaHorizonSeconds, parseCriteria, triggersIn } from './criteria.parser';
import type { CriteriaNode } from './criteria.types';

function compile(raw: unknown): CriteriaNode {
  const issues: string[] = [];
  const node = parseCriteria(raw, 'criteria', (p, m) => issues.push(`${p}: ${m}`));
  if (!node) throw new Error(issues.join('; '));
  return node;
}

function issuesOf(raw: unknown): string[] {
  const issues: string[] = [];
  const sink: IssueSink = (p, m) => issues.push(`${p}: ${m}`);
  parseCriteria(raw, 'criteria', sink);
  return issues;
}

const editing = () => new SessionScript().times(3, (s) => s.page('/projects/:id', 'Project').wait(5).click('Edit', '/projects/:id').wait(10));
const run = (raw: unknown, s: SessionScript, props?: Record<string, string | number | boolean>) =>
  evaluateCriteria(compile(raw), factsOf(s.view({ userProperties: props }), s.now));

describe('criteria', () => {
  it('leaves: url_matches on the current page, title_matches on the current action, user_property', () => {
    const s = editing();
    expect(run({ url_matches: '/projects/**' }, s)).toEqual({ triggers: [], conditions: ['url_matches'] });
    expect(run({ url_matches: ['/billing', '/projects/*'] }, s)).not.toBeNull();
    expect(run({ url_matches: '/billing/**' }, s)).toBeNull();
    expect(run({ title_matches: "^clicked 'edit'$" }, s)).not.toBeNull();
    expect(run({ title_matches: 'save' }, s)).toBeNull();
    expect(run({ user_property: { name: 'plan', equals: 'trial' } }, s, { plan: 'trial' })).not.toBeNull();
    expect(run({ user_property: { name: 'seats', equals: 5 } }, s, { seats: '5' })).not.toBeNull();
    expect(run({ user_property: { name: 'plan', equals: 'trial' } }, s, { plan: 'pro' })).toBeNull();
    expect(run({ user_property: { name: 'plan', equals: 'trial' } }, s)).toBeNull();
  });

  it('all: every child must hold; trigger evidence comes back in tree order', () => {
    const s = editing();
    const m = run({ all: [{ repeated_action: {} }, { url_matches: '/projects/**' }, { page_dwell: { min_seconds: 1, max_actions: 10 } }] }, s);
    expect(m?.triggers.map((t) => t.trigger)).toEqual(['repeated_action', 'page_dwell']);
    expect(m?.conditions).toEqual(['url_matches']);
    expect(run({ all: [{ repeated_action: {} }, { url_matches: '/billing' }] }, s)).toBeNull();
  });

  it('any: the first child that holds wins', () => {
    const s = editing();
    const m = run({ any: [{ ping_pong: {} }, { repeated_action: {} }, { page_dwell: { min_seconds: 1, max_actions: 5 } }] }, s);
    expect(m?.triggers.map((t) => t.trigger)).toEqual(['repeated_action']);
    expect(run({ any: [{ ping_pong: {} }, { error_page: {} }] }, s)).toBeNull();
  });

  it('not: negates, and a negated trigger supplies no evidence', () => {
    const s = editing();
    expect(run({ not: { url_matches: '/checkout/**' } }, s)).toEqual({ triggers: [], conditions: [] });
    expect(run({ not: { repeated_action: {} } }, s)).toBeNull();
    expect(run({ all: [{ not: { ping_pong: {} } }, { repeated_action: {} }] }, s)?.triggers).toHaveLength(1);
  });

  it('a failed all inside an any leaves no stray evidence behind', () => {
    const s = editing();
    const m = run({ any: [{ all: [{ repeated_action: {} }, { error_page: {} }] }, { url_matches: '/projects/**' }] }, s);
    expect(m).toEqual({ triggers: [], conditions: ['url_matches'] });
  });

  it('accepts a trigger without params (YAML `- page_dwell:`)', () => {
    expect(compile({ page_dwell: null })).toMatchObject({ kind: 'trigger', trigger: 'page_dwell' });
  });

  it('reports problems with their full path', () => {
    expect(issuesOf({ all: [{ url_matches: '/a' }, { repeated_action: { count: 1 } }] })).toEqual([
      'criteria.all[1].repeated_action.count: must be an integer >= 2',
    ]);
    expect(issuesOf({ any: [] })).toEqual(['criteria.any: must be a non-empty list of criteria']);
    expect(issuesOf({ all: [{ hover_twice: {} }] })).toEqual([expect.stringMatching(/^criteria\.all\[0\]\.hover_twice: unknown criterion/)]);
    expect(issuesOf({ url_matches: '/a', page_dwell: {} })).toEqual(['criteria: must have exactly one key, found url_matches, page_dwell']);
    expect(issuesOf({ title_matches: '(a*)*' })).toEqual([expect.stringMatching(/^criteria\.title_matches: nested quantifiers/)]);
    expect(issuesOf({ user_property: { name: 'plan' } })).toEqual(['criteria.user_property.equals: must be a string, a number or true/false']);
    expect(issuesOf('page_dwell')).toEqual([expect.stringMatching(/^criteria: must be an object with one key/)]);
    let deep: unknown = { url_matches: '/a' };
    for (let i = 0; i < 8; i++) deep = { not: deep };
    expect(issuesOf(deep)).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('knows its triggers and how long after the last activity it can still newly match', () => {
    const c = compile({ all: [{ url_matches: '/a' }, { any: [{ ping_pong: { within_seconds: 60 } }, { page_dwell: {} }] }, { not: { error_page: {} } }] });
    expect(triggersIn(c)).toEqual(['ping_pong', 'page_dwell']);
    expect(criteriaHorizonSeconds(c)).toBe(600);
    expect(criteriaHorizonSeconds(compile({ url_matches: '/a' }))).toBe(Infinity);
  });
});
