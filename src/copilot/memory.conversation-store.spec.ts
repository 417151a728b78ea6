import { runConversationStoreContract } from './conversation-store.contract';
import { MemoryConversationStore } from './memory.conversation-store';

runConversationStoreContract('memory', (opts) => new MemoryConversationStore(opts));

describe('MemoryConversationStore memory bound', () => {
  it('holds at most MAX_CONVERSATIONS conversations, evicting the least recently used', async () => {
    const store = new MemoryConversationStore({ maxConversations: 50 });
    for (let i = 0; i < 500; i++) await store.appendTurns(`c${i}`, [{ role: 'user', text: `m${i}`, at: i }], 10);
    await store.getTurns('c460', 1); // touch: recently used survives
    await store.appendTurns('c-new', [{ role: 'user', text: 'new', at: 1 }], 10);
    expect(await store.getTurns('c0', 10)).toEqual([]);
    expect(await store.getTurns('c449', 10)).toEqual([]);
    expect((await store.getTurns('c460', 10))[0].text).toBe('m460');
    expect((await store.getTurns('c499', 10))[0].text).toBe('m499');
  });

  it('bounds outstanding claims as well', async () => {
    const store = new MemoryConversationStore({ maxConversations: 10, maxClaims: 10 });
    for (let i = 0; i < 100; i++) expect(await store.claimOnce(`k${i}`, 3_600)).toBe(true);
    // The oldest claim was evicted by the cap, so it can be claimed again.
    expect(await store.claimOnce('k0', 3_600)).toBe(true);
    expect(await store.claimOnce('k99', 3_600)).toBe(false);
  });

  it('weighs a conversation as its turns accumulate, one reply at a time, so the byte budget binds', async () => {
    // A turn of 1,000 characters weighs ~2 KB; a conversation of 10 such turns ~21 KB: 50 KB holds two.
    const store = new MemoryConversationStore({ maxConversations: 100, maxBytes: 50_000 });
    for (let c = 1; c <= 4; c++) for (let t = 0; t < 10; t++) await store.appendTurns(`c${c}`, [{ role: 'user', text: 'x'.repeat(1_000), at: t }], 10);
    expect(await store.getTurns('c1', 10)).toEqual([]);
    expect(await store.getTurns('c2', 10)).toEqual([]);
    expect(await store.getTurns('c3', 10)).toHaveLength(10);
    expect(await store.getTurns('c4', 10)).toHaveLength(10);
  });
});
