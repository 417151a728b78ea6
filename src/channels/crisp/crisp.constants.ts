/** Job names on JOB_QUEUE. */
export const CRISP_REPLY_JOB = 'crisp.reply';
export const CRISP_DELIVER_JOB = 'crisp.deliver';

/** Injection token for CrispDeliveryPolicy (tests shorten the backoff through it). */
export const CRISP_DELIVERY_POLICY = Symbol('CRISP_DELIVERY_POLICY');

/** How long a claimed `crisp:{session}:{fingerprint}` key blocks redeliveries. */
export const CRISP_DEDUPE_TTL_SECONDS = 86_400;

export interface CrispDeliveryPolicy {
  /** Tries per outbound message, first one included. */
  attempts: number;
  /** First retry delay; doubles per retry, plus jitter. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per HTTP call to the Crisp REST API. */
  requestTimeoutMs: number;
}

/** 5 tries with 4 s, 8 s, 16 s, 30 s waits (+ up to 25% jitter): about a minute in all. */
export const DEFAULT_CRISP_DELIVERY_POLICY: CrispDeliveryPolicy = {
  attempts: 5,
  backoffMs: 4_000,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 10_000,
};
