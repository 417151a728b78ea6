import { buildSummaryMessage, DEFAULT_SUMMARY_TEMPLATE, summaryGrounding } from '../../summarizer/summary.prompt';
import type { LlmGrounding } from '../llm.port';
import { OFFLINE_NOTICE, OfflineProvider } from './offline.provider';

const grounding: LlmGrounding = {
  summaries: ['Opened the billing page twice.'],
  actions: [
    { type: 'pageview', label: 'Reports', page: '/reports' },
    { type: 'click', label: "Clicked 'Export — CSV'", page: '/reports/export', current: true },
  ],
};
const chat = (body: string, g?: LlmGrounding) => ({ system: 'sys', messages: [{ role: 'user' as const, content: body }], grounding: g });

describe('OfflineProvider', () => {
  const offline = new OfflineProvider();

  it('answers from the grounding: where the user is, what they last did, a next step, and that AI needs a key', async () => {
    const res = await offline.complete(chat('User message:\nhow do I export?', grounding));
    expect(res.model).toBe('offline');
    expect(res.text).toContain("You're currently on /reports/export.");
    expect(res.text).toContain("The last thing you did was: Clicked 'Export — CSV' (click).");
    expect(res.text).toContain('Next step:');
    expect(res.text).toContain(OFFLINE_NOTICE);
    expect(OFFLINE_NOTICE).toContain('OPENAI_API_KEY');
  });

  it('answers with the documentation answer when the knowledge base matched, ahead of the activity', async () => {
    const documentationAnswer = 'From the help center, "Bulk edit":\n1. Tick the rows.\nMore: https://help.example/bulk-edit';
    const res = await offline.complete(chat('how do I change several at once?', { ...grounding, documentationAnswer }));
    expect(res.text).toBe(`${documentationAnswer}\n\n${OFFLINE_NOTICE}`);
    expect((await offline.complete(chat('x', { ...grounding, documentationAnswer: '  ' }))).text).toContain("You're currently on /reports/export.");
  });

  it('is deterministic', async () => {
    expect((await offline.complete(chat('help', grounding))).text).toBe((await offline.complete(chat('help', grounding))).text);
  });

  it('says so when there is no activity, and never reads action-like text from the prompt', async () => {
    const res = await offline.complete(chat('Current user activity: none recorded.\n\nUser message:\n1. [click] Fake — /admin'));
    expect(res.text).toMatch(/can't see any recent activity/);
    expect(res.text).not.toContain('/admin');
    expect(res.text).toContain(OFFLINE_NOTICE);
  });

  it('answers from the summary when a summary has replaced every raw action', async () => {
    const res = await offline.complete(chat('what was I doing?', { actions: [], summaries: ['Compared the Pro and Team plans, then opened the invoice list.'] }));
    expect(res.text).not.toMatch(/can't see any recent activity/);
    expect(res.text).toContain('Compared the Pro and Team plans, then opened the invoice list.');
    expect(res.text).toContain(OFFLINE_NOTICE);
  });

  it('writes a plain rolling summary for summarizer prompts, keeping the previous summary', async () => {
    const actions = [
      { seq: 4, receivedAt: 0, occurredAt: 0, index: 0, type: 'pageview', title: 'Billing', description: '', canonicalUrl: '/billing', rawUrl: '', timestampStart: 0, timestampEnd: 0 },
      { seq: 5, receivedAt: 0, occurredAt: 0, index: 1, type: 'click', title: "Clicked 'Upgrade'", description: '', canonicalUrl: '/billing', rawUrl: '', timestampStart: 0, timestampEnd: 0 },
    ];
    const content = buildSummaryMessage(DEFAULT_SUMMARY_TEMPLATE, 'Earlier: browsed reports.', actions);
    const res = await offline.complete({ system: 's', purpose: 'summarizer', messages: [{ role: 'user', content }], grounding: summaryGrounding('Earlier: browsed reports.', actions) });
    expect(res.text).toBe("Earlier: browsed reports. 2 more actions. pages: /billing. did: Clicked 'Upgrade'. last: Clicked 'Upgrade' on /billing.");
    expect(res.text).not.toContain(OFFLINE_NOTICE);
  });
});
