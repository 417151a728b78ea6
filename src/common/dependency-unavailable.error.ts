/**
 * A backing service (Redis, the job queue) cannot take the work now. Never the client's
 * fault: answered `503` with `Retry-After`, so a webhook sender redelivers and a client
 * retries, rather than acknowledged and lost.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

export const RETRY_AFTER_SECONDS = 5;
