import { heapAdvice } from './startup-report';

const MB = 2 ** 20;
const budgets = (session: number) => ({ driver: 'memory' as 'memory' | 'redis', stateMaxBytes: 64 * MB, sessionStoreMaxBytes: session * MB, conversationStoreMaxBytes: 64 * MB, claimStoreMaxBytes: 16 * MB });

describe('heapAdvice', () => {
  it('recommends 1.5x the byte budgets plus room for the app, rounded to 64 MB', () => {
    expect(heapAdvice(budgets(256), 768 * MB)).toEqual({ limitMb: 768, budgetsMb: 400, recommendedMb: 768, tooSmall: false, warning: undefined });
  });

  it('warns when the heap cannot hold the budgets (the process would die before evicting)', () => {
    const a = heapAdvice(budgets(256), 256 * MB);
    expect(a.tooSmall).toBe(true);
    expect(a.warning).toContain('--max-old-space-size=768');
  });

  it('warns when the heap limit dwarfs the budgets (RSS would grow far past them)', () => {
    const a = heapAdvice(budgets(256), 4144 * MB);
    expect(a.tooSmall).toBe(false);
    expect(a.warning).toContain('far above');
  });

  it('a Redis store keeps little in the process', () => {
    expect(heapAdvice({ ...budgets(256), driver: 'redis' as const }, 512 * MB)).toMatchObject({ budgetsMb: 0, recommendedMb: 256, tooSmall: false });
  });
});
