import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { pingPongTrigger as trigger } from './ping-pong.trigger';

const bounce = (s: SessionScript, pages: string[], gap = 8) => {
  for (const p of pages) s.page(p, p.slice(1)).wait(gap);
  return s;
};

describe('ping_pong', () => {
  const defaults = compileTrigger(trigger);

  it('fires after min_cycles returns between two pages (default 3)', () => {
    const s = bounce(new SessionScript(), ['/settings', '/billing', '/settings', '/billing']);
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    bounce(s, ['/settings']);
    const m = runTrigger(trigger, defaults, s);
    expect(m).toMatchObject({ trigger: 'ping_pong', page: '/settings', otherPage: '/billing', scope: '/billing <-> /settings' });
    expect(m!.evidence).toHaveLength(5);
    expect(runTrigger(trigger, compileTrigger(trigger, { min_cycles: 1 }), bounce(new SessionScript(), ['/a', '/b', '/a']))).not.toBeNull();
  });

  it('collapses consecutive actions on one page: A→B→B→A is a cycle', () => {
    const s = new SessionScript().page('/a').wait(3).page('/b').wait(2).click('Tab 1', '/b').wait(2).click('Tab 2', '/b').wait(2).page('/a');
    expect(runTrigger(trigger, compileTrigger(trigger, { min_cycles: 1 }), s)).toMatchObject({ page: '/a', otherPage: '/b' });
  });

  it('counts cycles per pair of pages, not across a hub with many spokes', () => {
    const s = bounce(new SessionScript(), ['/hub', '/x', '/hub', '/y', '/hub', '/z', '/hub']);
    expect(runTrigger(trigger, compileTrigger(trigger, { min_cycles: 2 }), s)).toBeNull();
  });

  it('only looks at the window ending now', () => {
    const s = bounce(new SessionScript(), ['/a', '/b', '/a', '/b', '/a'], 40);
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { within_seconds: 300 }), s)).not.toBeNull();
  });

  it('ignores bouncing that ends in progress, unless told otherwise', () => {
    const s = new SessionScript();
    for (let i = 0; i < 3; i++) s.page('/list').wait(3).page('/item/:id').wait(3).submit('Item', '/item/:id').wait(3);
    s.page('/list');
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { exclude_progress: false }), s)).not.toBeNull();
  });

  it('can be scoped to pages (one side of the pair must match)', () => {
    const s = bounce(new SessionScript(), ['/settings', '/billing', '/settings', '/billing', '/settings']);
    expect(runTrigger(trigger, compileTrigger(trigger, { url: '/billing/**' }), s)).not.toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { url: '/projects/**' }), s)).toBeNull();
  });

  it('names the field in validation errors', () => {
    expect(triggerIssues(trigger, { min_cycles: 0 })).toEqual(['min_cycles: must be an integer >= 1']);
    expect(triggerIssues(trigger, { exclude_progress: 'yes' })).toEqual(['exclude_progress: must be true or false']);
  });
});
