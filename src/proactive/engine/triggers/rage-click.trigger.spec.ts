import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { rageClickTrigger as trigger } from './rage-click.trigger';

describe('rage_click', () => {
  const defaults = compileTrigger(trigger);

  it('fires on a rageclick action', () => {
    const s = new SessionScript().page('/checkout').wait(3).act('rageclick', "Rage clicked 'Pay now'", '/checkout');
    expect(runTrigger(trigger, defaults, s)).toMatchObject({ trigger: 'rage_click', page: '/checkout', label: 'Pay now' });
  });

  it('fires on K clicks on the same label within S seconds (default 4 in 5 s)', () => {
    const s = new SessionScript().times(3, (x) => x.click('Pay now', '/checkout').wait(1));
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    s.click('Pay now', '/checkout');
    const m = runTrigger(trigger, defaults, s);
    expect(m).toMatchObject({ label: 'Pay now' });
    expect(m!.evidence).toHaveLength(4);
  });

  it('does not fire on slow or different clicks', () => {
    const slow = new SessionScript().times(4, (x) => x.click('Pay now', '/checkout').wait(3));
    expect(runTrigger(trigger, defaults, slow)).toBeNull();
    const mixed = new SessionScript().times(4, (x, i) => x.click(i % 2 ? 'A' : 'B', '/checkout').wait(0.5));
    expect(runTrigger(trigger, defaults, mixed)).toBeNull();
  });

  it('forgets bursts older than recent_seconds', () => {
    const s = new SessionScript().act('rageclick', "Rage clicked 'Pay'", '/checkout');
    expect(runTrigger(trigger, defaults, s, s.now + 60_000)).not.toBeNull();
    expect(runTrigger(trigger, defaults, s, s.now + 60_001)).toBeNull();
  });

  it('names the field in validation errors', () => {
    expect(triggerIssues(trigger, { clicks: 1 })).toEqual(['clicks: must be an integer >= 2']);
  });
});
