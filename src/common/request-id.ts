import { randomBytes } from 'node:crypto';

/** A process-unique prefix, so ids from several replicas never collide in one log store. */
const PREFIX = `${randomBytes(4).toString('hex')}-`;
let counter = 0;

const ACCEPTED = /^[\w.:-]{1,128}$/;

/**
 * The request's correlation id: the caller's `X-Request-Id` when it is a sane token, else
 * a fresh one. Fresh ids are a prefix and a counter: unique per process, and far cheaper
 * than a random UUID per request.
 */
export function requestIdFor(given: string | string[] | undefined): string {
  if (typeof given === 'string' && ACCEPTED.test(given)) return given;
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}
