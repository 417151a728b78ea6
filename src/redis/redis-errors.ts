import { ReplyError } from 'ioredis';
import { DependencyUnavailableError } from '../common/dependency-unavailable.error';
import { errorMessage } from '../common/text';

/**
 * Redis could not be reached (down, reconnecting, timed out, or refusing writes for a
 * reason that passes: loading, out of memory, read-only replica). Callers map it to
 * HTTP 503 so a client or webhook sender retries later; it never means bad input.
 */
export class RedisUnavailableError extends DependencyUnavailableError {
  constructor(message: string, cause?: unknown) {
    super('redis', message, cause);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Error replies that say "not now" rather than "wrong command": retrying later can
 * succeed, so they are unavailability, not bugs.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/**
 * Maps what ioredis throws to what callers can act on. An error reply from Redis
 * (a script bug, a wrong type) is passed through unchanged so it is not hidden
 * behind a 503; everything else — no connection, a closed stream, a command timeout,
 * the retry limit — is RedisUnavailableError.
 */
export function toRedisError(err: unknown): Error {
  if (err instanceof RedisUnavailableError) return err;
  if (err instanceof ReplyError || (err instanceof Error && err.name === 'ReplyError')) {
    const message = (err as Error).message;
    return TRANSIENT_REPLY.test(message) ? new RedisUnavailableError(`redis refused the command: ${message}`, err) : (err as Error);
  }
  return new RedisUnavailableError(`redis unavailable: ${errorMessage(err)}`, err);
}
