/** Injection token for DeliveryPolicy (tests shorten the backoff through it). */
export const DELIVERY_POLICY = Symbol('DELIVERY_POLICY');

/** How the reply pipeline retries a send that failed for a reason worth retrying. */
export interface DeliveryPolicy {
  /** Tries per outbound message, first one included. */
  attempts: number;
  /** First retry delay; doubles per retry, plus jitter. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** 5 tries with 4 s, 8 s, 16 s, 30 s waits (+ up to 25% jitter): about a minute in all. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 5,
  backoffMs: 4_000,
  maxBackoffMs: 30_000,
};

/** How long a claimed inbound message (`<channel>:<conversation>:<fingerprint>`) blocks redeliveries. */
export const DEDUPE_TTL_SECONDS = 86_400;
