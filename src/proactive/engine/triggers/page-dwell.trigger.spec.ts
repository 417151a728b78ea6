import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { pageDwellTrigger as trigger } from './page-dwell.trigger';

describe('page_dwell', () => {
  const defaults = compileTrigger(trigger);

  it('counts the idle time after the last action: landed, clicked once, then idled five minutes fires', () => {
    const s = new SessionScript().page('/reports', 'Reports').wait(5).click('Revenue', '/reports');
    const fiveMinutes = compileTrigger(trigger, { min_seconds: 300 });
    expect(runTrigger(trigger, fiveMinutes, s, s.now + 294_000)).toBeNull();
    const m = runTrigger(trigger, fiveMinutes, s, s.now + 300_000);
    expect(m).toMatchObject({ trigger: 'page_dwell', page: '/reports', scope: '/reports' });
    expect(m!.evidence.map((a) => a.type)).toEqual(['pageview', 'click']);
  });

  it('fires at the default 90 s with up to 3 actions on the page', () => {
    const s = new SessionScript().page('/reports').wait(10).click('A', '/reports').wait(10).click('B', '/reports');
    expect(runTrigger(trigger, defaults, s, s.now + 69_000)).toBeNull();
    expect(runTrigger(trigger, defaults, s, s.now + 70_000)).not.toBeNull();
  });

  it('does not fire for a busy user, however long they stay', () => {
    const s = new SessionScript().page('/reports').times(3, (x, i) => x.wait(20).click(`Chart ${i}`, '/reports'));
    expect(runTrigger(trigger, defaults, s, s.now + 600_000)).toBeNull();
  });

  it('measures only the current stay on the page', () => {
    const s = new SessionScript().page('/a').wait(200).page('/b').wait(10).page('/a');
    expect(runTrigger(trigger, defaults, s, s.now + 30_000)).toBeNull();
    expect(runTrigger(trigger, defaults, s, s.now + 90_000)).toMatchObject({ page: '/a' });
  });

  it('stops once the user has most likely left (max_idle_seconds)', () => {
    const s = new SessionScript().page('/a');
    expect(runTrigger(trigger, defaults, s, s.now + 600_000)).not.toBeNull();
    expect(runTrigger(trigger, defaults, s, s.now + 600_001)).toBeNull();
  });

  it('can be scoped to pages', () => {
    const s = new SessionScript().page('/pricing');
    expect(runTrigger(trigger, compileTrigger(trigger, { url: '/pricing/**' }), s, s.now + 100_000)).not.toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { url: '/checkout' }), s, s.now + 100_000)).toBeNull();
  });

  it('names the field in validation errors', () => {
    expect(triggerIssues(trigger, { min_seconds: -1, max_actions: 0 })).toEqual(['min_seconds: must be an integer >= 1', 'max_actions: must be an integer >= 1']);
  });
});
