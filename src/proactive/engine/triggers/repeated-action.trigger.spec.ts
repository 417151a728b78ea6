import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySessionStore } from '../../../activity/session-store/memory.session-store';
import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { parseActivityEvent } from '../../../activity/activity.parser';
import type { ActionsEvent } from '../../../activity/activity.types';
import { buildSessionView } from '../session-view';
import { factsOf } from '../view-facts';
import { repeatedActionTrigger as trigger } from './repeated-action.trigger';

/** One project edited the long way: list → project → Edit → form → Save changes → back. */
function editProject(s: SessionScript, name: string, opts: { save?: boolean } = {}) {
  s.page('/projects', 'Projects').wait(4).click(name, '/projects').wait(1).page('/projects/:id', name);
  s.wait(4).click('Edit', '/projects/:id').wait(1).page('/projects/:id/edit', 'Edit project');
  s.wait(6).act('change', "Changed 'Status'", '/projects/:id/edit');
  if (opts.save !== false) s.wait(4).click('Save changes', '/projects/:id/edit').submit('Edit project', '/projects/:id/edit');
  s.wait(1).page('/projects/:id', name).wait(3).click('Back to projects', '/projects/:id').wait(1);
}

describe('repeated_action', () => {
  const defaults = compileTrigger(trigger);

  it('fires on the same labelled action on the same kind of page, the third time', () => {
    const s = new SessionScript();
    s.click('Edit', '/projects/:id').wait(20).click('Edit', '/projects/:id').wait(20);
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    s.click('Edit', '/projects/:id');
    const m = runTrigger(trigger, defaults, s);
    expect(m).toMatchObject({ trigger: 'repeated_action', page: '/projects/:id', scope: '/projects/:id', label: 'Edit' });
    expect(m!.evidence.map((a) => a.title)).toEqual(["Clicked 'Edit'", "Clicked 'Edit'", "Clicked 'Edit'"]);
  });

  it('only counts occurrences inside the window ending now', () => {
    const s = new SessionScript().click('Edit', '/p/:id').wait(200).click('Edit', '/p/:id').wait(101).click('Edit', '/p/:id');
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { within_seconds: 400 }), s)).not.toBeNull();
  });

  it('does not mix labels, pages or action types', () => {
    const s = new SessionScript().click('Edit', '/a').wait(10).click('Edit', '/b').wait(10).click('Delete', '/a').wait(10);
    s.act('change', "Changed 'Edit'", '/a');
    expect(runTrigger(trigger, defaults, s)).toBeNull();
  });

  it('counts a burst of clicks once (rapid clicking is rage_click’s business)', () => {
    const s = new SessionScript().click('Next', '/list').wait(0.5).click('Next', '/list').wait(0.5).click('Next', '/list');
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { min_gap_seconds: 0 }), s)).not.toBeNull();
  });

  it('can be narrowed to pages and labels', () => {
    const s = new SessionScript().times(3, (x) => x.click('Edit', '/projects/:id').wait(10));
    expect(runTrigger(trigger, compileTrigger(trigger, { url: '/projects/**', label: '^edit$' }), s)).not.toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { url: ['/billing/**'] }), s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { label: 'save' }), s)).toBeNull();
  });

  describe('loops', () => {
    const loops = compileTrigger(trigger, { match: 'loop' });

    it('fires on the same round trip with progress repeated, whatever the rows were called', () => {
      const s = new SessionScript();
      editProject(s, 'Website redesign');
      editProject(s, 'Mobile app launch');
      expect(runTrigger(trigger, loops, s)).toBeNull();
      editProject(s, 'Q3 marketing plan');
      const m = runTrigger(trigger, loops, s);
      expect(m).toMatchObject({ trigger: 'repeated_action', label: 'Save changes' });
      expect(m!.evidence.filter((a) => a.title === "Clicked 'Save changes'")).toHaveLength(3);
    });

    it('does not count round trips without progress (that is browsing, or ping_pong)', () => {
      const s = new SessionScript();
      for (const name of ['A', 'B', 'C']) editProject(s, name, { save: false });
      expect(runTrigger(trigger, loops, s)).toBeNull();
    });
  });

  it('fires on a recording of a user editing three projects one by one, before the third edit is saved', async () => {
    const text = readFileSync(join(__dirname, '../../../../test/fixtures/proactive/edit-three-projects.jsonl'), 'utf8');
    let clock = 0;
    const store = new MemorySessionStore({
      lookbackSeconds: 300, maxActions: 30, maxSessions: 10, maxSessionsPerUser: 5, maxUsers: 10, sessionTtlSeconds: 86_400, now: () => clock,
    });
    let firedAt: { titles: string[]; label?: string } | undefined;
    const batches = text.trim().split('\n').map((line) => {
      const r = parseActivityEvent(JSON.parse(line), 'test');
      if (!r.ok) throw new Error(r.message);
      return r.event as ActionsEvent;
    });
    for (const batch of batches) {
      clock = batch.forwardedAt * 1000;
      await store.appendActions(batch);
      const ctx = await store.getSessionContext({ productId: 'acme', sessionId: batch.sessionId! });
      const m = trigger.evaluate(compileTrigger(trigger, { url: '/projects/**', label: '^(edit|save)' }), factsOf(buildSessionView(ctx!, clock), clock));
      if (m && !firedAt) firedAt = { titles: ctx!.actions.map((a) => a.title), label: m.label };
    }
    expect(firedAt).toBeDefined();
    expect(firedAt!.label).toBe('Edit');
    const saves = firedAt!.titles.filter((t) => t === "Clicked 'Save changes'").length;
    expect(saves).toBe(2);
    await store.close();
  });

  it('names the field in validation errors', () => {
    expect(triggerIssues(trigger, { count: 1 })).toEqual(['count: must be an integer >= 2']);
    expect(triggerIssues(trigger, { count: 'three' })).toEqual(['count: must be an integer >= 2']);
    expect(triggerIssues(trigger, { match: 'sometimes' })).toEqual(['match: must be "action", "loop" or "either"']);
    expect(triggerIssues(trigger, { label: '(a+)+' })).toEqual([expect.stringMatching(/^label: nested quantifiers/)]);
    expect(triggerIssues(trigger, { url: ['/ok/**', 'bad'] })).toEqual([expect.stringMatching(/^url\[1\]: must start with/)]);
    expect(triggerIssues(trigger, { cuont: 3 })).toEqual(['cuont: unknown field']);
  });
});
