import { compileTrigger, runTrigger, SessionScript, triggerIssues } from '../../../../test/support/proactive-session';
import { errorPageTrigger as trigger } from './error-page.trigger';

describe('error_page', () => {
  const defaults = compileTrigger(trigger);

  it.each(['/404', '/projects/404', '/error', '/errors/payment', '/not-found', 'https://app.acme.test/500?x=1'])('fires on the error URL %s', (url) => {
    const s = new SessionScript().page(url, 'Oops');
    expect(runTrigger(trigger, defaults, s)).toMatchObject({ trigger: 'error_page' });
  });

  it.each(['Page Load: Not Found', 'Payment failed', 'Something went wrong', 'Export error'])('fires on the title %j', (title) => {
    const s = new SessionScript().act('pageview', title, '/billing');
    expect(runTrigger(trigger, defaults, s)).toMatchObject({ page: '/billing' });
  });

  it('does not read click labels by default ("Error log" is navigation)', () => {
    const s = new SessionScript().click('Error log', '/settings');
    expect(runTrigger(trigger, defaults, s)).toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { title_types: ['click'] }), s)).not.toBeNull();
  });

  it('uses configured patterns, can switch titles off, and looks back within_seconds only', () => {
    const s = new SessionScript().page('/oops', 'Upload failed');
    expect(runTrigger(trigger, compileTrigger(trigger, { url_patterns: ['/oops'], title_pattern: null }), s)).not.toBeNull();
    expect(runTrigger(trigger, compileTrigger(trigger, { url_patterns: [], title_pattern: null }), s)).toBeNull();
    expect(runTrigger(trigger, defaults, s, s.now + 60_001)).toBeNull();
  });

  it('names the field in validation errors', () => {
    expect(triggerIssues(trigger, { title_pattern: '(x+)*' })).toEqual([expect.stringMatching(/^title_pattern: nested quantifiers/)]);
    expect(triggerIssues(trigger, { url_patterns: ['404'] })).toEqual([expect.stringMatching(/^url_patterns\[0\]: must start with/)]);
  });
});
