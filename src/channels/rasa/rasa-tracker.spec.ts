import { parseRasaActionCall, type RasaActionCall } from './rasa-action-call.schema';
import { turnSourceFrom } from './rasa-tracker';

const call = (metadata: unknown, extra: Record<string, unknown> = {}): RasaActionCall => {
  const parsed = parseRasaActionCall({ next_action: 'action_ask_llm', sender_id: 'sender-1', tracker: { latest_message: { text: ' hi ', metadata } }, ...extra });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.call;
};

describe('turnSourceFrom', () => {
  it('prefers metadata.customData.userId, then metadata.userId; sender_id only when the deployment says it is the user id', () => {
    expect(turnSourceFrom(call({ customData: { userId: 'a', userToken: 'ta' }, userId: 'b' }))).toMatchObject({ userId: 'a', userToken: 'ta', userIdFrom: 'metadata.customData.userId' });
    expect(turnSourceFrom(call({ customData: {}, userId: 'b', userToken: 'tb' }))).toMatchObject({ userId: 'b', userToken: 'tb', userIdFrom: 'metadata.userId' });
    expect(turnSourceFrom(call({ customData: { userId: ' ' }, userId: null }))).toMatchObject({ userId: undefined, userIdFrom: 'none' });
    expect(turnSourceFrom(call({ customData: { userId: ' ' }, userId: null }), { senderIsUserId: true })).toMatchObject({ userId: 'sender-1', userIdFrom: 'sender_id' });
    expect(turnSourceFrom(call(null))).toMatchObject({ userId: undefined, conversationId: 'sender-1', text: 'hi' });
  });

  it('ignores ids that are not plain strings or numbers, or too long', () => {
    expect(turnSourceFrom(call({ customData: { userId: { $ne: 1 } } })).userId).toBeUndefined();
    expect(turnSourceFrom(call({ userId: 'x'.repeat(201) })).userId).toBeUndefined();
    expect(turnSourceFrom(call({ userId: 42 })).userId).toBe('42');
  });

  it('takes the conversation id from tracker.sender_id when the top level has none, and optional product/session ids', () => {
    const parsed = parseRasaActionCall({
      next_action: 'x',
      tracker: { sender_id: 'from-tracker', latest_message: { text: null, metadata: { customData: { userId: 'u', productId: 'acme', sessionId: 's1' } } } },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(turnSourceFrom(parsed.call)).toEqual({
      conversationId: 'from-tracker', userId: 'u', userToken: undefined, userIdFrom: 'metadata.customData.userId', productId: 'acme', sessionId: 's1', text: '',
    });
  });
});
