/** Injection token for DeliveryPolicy (tests shorten the backoff through it). */
export const DELIVERY_POLICY = Symbol('DELIVERY_POLICY');

/** How the reply pipeline retries a send that failed for a reason worth retrying. */
export interface DeliveryPolicy {
  /** Most tries per outbound message, first one included (a safety net under the time window). */
  attempts: number;
  /** First retry delay; doubles per retry, plus jitter. */
  backoffMs: number;
  /** Longest wait between tries (a server's Retry-After may ask for more). */
  maxBackoffMs: number;
  /** How long a message keeps being retried before it is dead-lettered, unless its adapter says otherwise. */
  retryWindowMs: number;
}

/**
 * Retries with 4 s, 8 s, 16 s … waits capped at 60 s (+ up to 25% jitter), honouring
 * Retry-After, for up to 15 minutes: a provider outage of that length loses nothing.
 * What still fails is dead-lettered, never dropped.
 */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 100,
  backoffMs: 4_000,
  maxBackoffMs: 60_000,
  retryWindowMs: 15 * 60_000,
};

/** How long a claimed inbound message (`<channel>:<conversation>:<fingerprint>`) blocks redeliveries. */
export const DEDUPE_TTL_SECONDS = 86_400;
