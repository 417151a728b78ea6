import { classifyNudgeReply, looksLikeDecline, quickReply } from './quick-replies';

describe('quick replies', () => {
  it.each(['No thanks', 'no, thanks!', 'No', 'Not now', 'Maybe later', 'nope', 'Dismiss', "I'm good"])('recognises %j as a decline', (t) => {
    expect(looksLikeDecline(t)).toBe(true);
  });

  it.each(['Show me', 'Notifications', 'Yes please', 'no idea how to export my invoices from the billing page, can you help?'])('does not take %j for a decline', (t) => {
    expect(looksLikeDecline(t)).toBe(false);
  });

  it('marks decline labels unless told otherwise', () => {
    expect(quickReply('No thanks')).toEqual({ label: 'No thanks', decline: true });
    expect(quickReply('  Show   me ')).toEqual({ label: 'Show me', decline: false });
    expect(quickReply('Later', false)).toEqual({ label: 'Later', decline: false });
  });

  it('classifies answers: chips by label (case and spacing ignored), free-text declines, anything else', () => {
    const chips = [quickReply('Show me'), quickReply('Not for me', true)];
    expect(classifyNudgeReply('show me', chips)).toEqual({ kind: 'accepted', reply: chips[0] });
    expect(classifyNudgeReply('Not for me.', chips)).toEqual({ kind: 'declined', reply: chips[1] });
    expect(classifyNudgeReply('no thanks', chips)).toEqual({ kind: 'declined' });
    expect(classifyNudgeReply('how do I export?', chips)).toEqual({ kind: 'message' });
  });
});
