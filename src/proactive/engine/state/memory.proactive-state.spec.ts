import { MemoryProactiveState } from './memory.proactive-state';
import { runProactiveStateContract } from './proactive-state.contract';
import { initialState } from './session-fsm';

runProactiveStateContract('memory', () => new MemoryProactiveState());

describe('MemoryProactiveState memory bound', () => {
  it('holds at most maxKeys entries per map, dropping the least recently written', async () => {
    const port = new MemoryProactiveState({ maxKeys: 10 });
    for (let i = 0; i < 50; i++) {
      await port.setSessionState(`s${i}`, initialState(0), 60, 0);
      await port.tryAcquire(`c${i}`, 1, 60, 0);
    }
    expect(await port.getSessionState('s0', 1)).toBeNull();
    expect(await port.getSessionState('s49', 1)).not.toBeNull();
    // c0 was dropped, so a slot is free again there; c49 is still held.
    expect(await port.tryAcquire('c0', 1, 60, 1)).toBe(true);
    expect(await port.tryAcquire('c49', 1, 60, 1)).toBe(false);
  });
});
