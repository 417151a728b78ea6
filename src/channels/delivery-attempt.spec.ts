import { MetricsService } from '../observability/metrics.service';
import { MemoryDeadLetterStore } from '../queue/memory.dead-letter.store';
import { RetryLaterError, UnrecoverableJobError } from '../queue/job-queue.port';
import { DeliveryError, type ChannelAdapter } from './channel-adapter.port';
import { DeliveryAttempt } from './delivery-attempt';

/** A ChannelAdapter whose sends fail with whatever the test says (an implementation of the port, for its own tests). */
class FailingAdapter implements ChannelAdapter {
  readonly id = 'crisp' as const;
  constructor(
    private readonly error: unknown,
    readonly retryWindowMs?: number,
  ) {}
  async send(): Promise<void> {
    throw this.error;
  }
}

describe('DeliveryAttempt', () => {
  const policy = { attempts: 10, backoffMs: 10, maxBackoffMs: 100, retryWindowMs: 60_000 };
  const make = () => {
    const deadLetters = new MemoryDeadLetterStore(10);
    const outcomes = new MetricsService().counter({ name: 'x_total', help: 'x', labelNames: ['channel', 'kind', 'outcome'] });
    return { attempt: new DeliveryAttempt(policy, deadLetters, outcomes), deadLetters };
  };
  const ctx = (attempt: number) => ({ jobId: 'j1', attempt, attempts: 10 });
  const entry = (reason: string) => ({ id: 'j1', name: 'channel.reply', payload: {}, reason, attempts: 1, failedAt: 0 });
  const send = (a: DeliveryAttempt, adapter: ChannelAdapter, attempt = 1, queuedAt = Date.now()) =>
    a.send(adapter, 'reply', { conversationId: 'c' }, 'hi', ctx(attempt), queuedAt, entry).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('a local error (not a delivery error: a bad id, a bug) is final at once and dead-lettered', async () => {
    const { attempt, deadLetters } = make();
    const err = await send(attempt, new FailingAdapter(new URIError('URI malformed')));
    expect(err).toBeInstanceOf(UnrecoverableJobError);
    expect((await deadLetters.list(10))[0].reason).toMatch(/URI malformed \(not retriable\)/);
  });

  it('a retriable failure is retried, after the Retry-After the other side asked for', async () => {
    const { attempt, deadLetters } = make();
    const err = await send(attempt, new FailingAdapter(new DeliveryError('HTTP 429', true, 429, 2_500)));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect((err as RetryLaterError).delayMs).toBe(2_500);
    expect((await deadLetters.stats()).count).toBe(0);
  });

  it('gives up (dead letter) once the adapter\'s retry window since the message was queued has passed', async () => {
    const { attempt, deadLetters } = make();
    const err = await send(attempt, new FailingAdapter(new DeliveryError('HTTP 503', true, 503), 1_000), 3, Date.now() - 1_500);
    expect(err).toBeInstanceOf(UnrecoverableJobError);
    expect((await deadLetters.list(1))[0].reason).toMatch(/retry window/);
  });

  it('a Retry-After beyond the window is not waited for: dead-lettered now', async () => {
    const { attempt } = make();
    const err = await send(attempt, new FailingAdapter(new DeliveryError('HTTP 429', true, 429, 120_000), 60_000));
    expect(err).toBeInstanceOf(UnrecoverableJobError);
  });
});
