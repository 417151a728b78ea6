import { ExponentialBackoff, noJitterGenerator, type GeneratorFn, type IBackoff } from 'cockatiel';

export interface ExponentialDelayOptions {
  initialMs: number;
  maxMs: number;
  /** Extra random delay as a fraction of the computed one (0.25 = up to +25%). */
  jitterRatio: number;
  /** Whether jitter may push a delay past maxMs (true keeps retries of many clients apart at the cap too). */
  jitterAboveMax?: boolean;
  random?: () => number;
}

/**
 * cockatiel's exponential backoff (initial × 2^n, capped) with proportional jitter on top.
 * Every retry loop in the service draws its delays from here.
 */
export function exponentialBackoff(opts: ExponentialDelayOptions): ExponentialBackoff<number> {
  const random = opts.random ?? Math.random;
  const generator: GeneratorFn<number> = (state, options) => {
    const [delay, next] = noJitterGenerator(state, options);
    const jittered = delay * (1 + opts.jitterRatio * random());
    return [Math.round(opts.jitterAboveMax ? jittered : Math.min(options.maxDelay, jittered)), next];
  };
  return new ExponentialBackoff({ generator, initialDelay: opts.initialMs, maxDelay: opts.maxMs });
}

/** The delay before retry `retry` (1-based) of a backoff. */
export function nthDelay(factory: { next(context: unknown): IBackoff<unknown> }, retry: number): number {
  // The factory's first step is already the first delay.
  let step = factory.next(undefined);
  for (let i = 1; i < retry; i++) step = step.next(undefined);
  return step.duration;
}
