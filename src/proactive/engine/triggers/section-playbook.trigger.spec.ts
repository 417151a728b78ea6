import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { renderTemplate } from '../text/message-template';
import { resolveSection, sectionPlaybookTrigger as trigger } from './section-playbook.trigger';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/proactive', name), 'utf8'));

describe('section_playbook', () => {
  // The reference's documented config, used as-is for the params.
  const reference = fixture('section-playbook-config.full.json').proactive_triggers;
  const params = compileTrigger(trigger, {
    section_url_rules: reference.section_url_rules,
    section_url_fallback_id: reference.section_url_fallback_id,
    section_playbook: reference.section_playbook,
  });

  it('offers the playbook entry of the section the user is in, with its quick replies', () => {
    const s = new SessionScript().page('/billing/invoices', 'Invoices').wait(10).click('Download', '/billing/invoices').wait(15);
    const m = runTrigger(trigger, params, s);
    expect(m).toMatchObject({ trigger: 'section_playbook', section: 'billing', scope: 'section:billing', quickReplies: ['Upgrade plan', 'View invoices'] });
    expect(renderTemplate(m!.message!, {})).toBe('Questions about billing?');
  });

  it('waits min_seconds_in_section (default 20) and counts the whole stay in the section', () => {
    const s = new SessionScript().page('/projects').wait(12).page('/projects/:id');
    expect(runTrigger(trigger, params, s, s.now + 7_000)).toBeNull();
    expect(runTrigger(trigger, params, s, s.now + 8_000)).toMatchObject({ section: 'projects' });
  });

  it('stays quiet in sections without an entry (including the fallback)', () => {
    const s = new SessionScript().page('/dashboard');
    expect(runTrigger(trigger, params, s, s.now + 600_000)).toBeNull();
  });

  it('matches whole segments, longest prefix first whatever the order', () => {
    const rules = fixture('section-url-rules.json').section_url_rules;
    const c = compileTrigger(trigger, { section_url_rules: [...rules].reverse(), section_playbook: fixture('section-playbook.json').section_playbook });
    expect(resolveSection(c, '/projects/settings/members')).toBe('project_settings');
    expect(resolveSection(c, '/projects/:id')).toBe('projects');
    expect(resolveSection(c, '/projectsettings')).toBe('other');
    expect(resolveSection(c, '/billing')).toBe('billing');
  });

  it('validates the playbook, templates included', () => {
    expect(triggerIssues(trigger, { section_url_rules: [], section_playbook: { a: 'x' } })).toEqual([
      'section_url_rules: must list at least one { prefix, section_id }',
    ]);
    expect(triggerIssues(trigger, { section_url_rules: [{ prefix: '/a', section_id: 'a' }], section_playbook: { a: 'Hi {name}' } })).toEqual([
      expect.stringMatching(/^section_playbook\.a: unknown placeholder \{name\}/),
    ]);
    expect(triggerIssues(trigger, { section_url_rules: [{ prefix: '/a', section_id: 'a' }], section_playbook: { a: { reply_option_labels: ['x'] } } })).toEqual([
      'section_playbook.a.body: required',
    ]);
  });
});
