import { acceptLlmNudge, buildJudgePrompt, buildNudgePrompt } from './llm-prompts';
import type { ProactiveDecision } from './proactive.types';

const decision: ProactiveDecision = {
  id: 'd1', at: 0, productId: 'acme', sessionId: 's1', ruleId: 'bulk-edit-offer', trigger: 'repeated_action', page: '/projects/:id',
  outcome: 'sent', evidence: [{ type: 'click', title: "Clicked 'Edit'", canonicalUrl: '/projects/:id', at: 0 }],
  message: 'Editing projects one by one?', quickReplies: [], mode: 'llm', intent: 'Tell them about bulk edit', judge: true,
};

describe('llm prompts', () => {
  it('ground the nudge and the judge in the activity and the rule intent', () => {
    const nudge = buildNudgePrompt(decision);
    expect(nudge.system).toContain('At most 150 characters');
    expect(nudge.user).toContain('Goal: Tell them about bulk edit');
    expect(nudge.user).toContain("1. click: Clicked 'Edit' (/projects/:id)");
    const judge = buildJudgePrompt(decision);
    expect(judge.system).toContain('{"speak": true or false, "reason": "<a few words>"}');
    expect(judge.user).toContain('Message it would send: Editing projects one by one?');
  });

  it('accept a model nudge only when it is short and single-paragraph; otherwise the template is sent', () => {
    expect(acceptLlmNudge('  "Editing one by one? Bulk edit is under More."  ')).toBe('Editing one by one? Bulk edit is under More.');
    expect(acceptLlmNudge('x'.repeat(151))).toBeNull();
    expect(acceptLlmNudge('One.\n\nTwo.')).toBeNull();
    expect(acceptLlmNudge('   ')).toBeNull();
  });
});
