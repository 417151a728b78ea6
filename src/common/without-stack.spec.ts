import { withoutStack } from './without-stack';

describe('withoutStack', () => {
  it('builds the error with its name and message but no frames, and restores the stack limit after', () => {
    const before = Error.stackTraceLimit;
    const err = withoutStack(() => new RangeError('queue full'));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('queue full');
    expect(err.stack).toBe('RangeError: queue full');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('later').stack).toMatch(/\n\s+at /);
  });

  it('restores the limit when the factory throws', () => {
    const before = Error.stackTraceLimit;
    expect(() =>
      withoutStack(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(before);
  });
});
