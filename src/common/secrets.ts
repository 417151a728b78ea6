import { createHmac, hash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison. Both sides are hashed first (SHA-256: equal-length
 * digests whatever the inputs) so the comparison takes the same time whatever the
 * lengths, and a length mismatch reveals nothing. A keyless one-shot hash is enough
 * here and half the cost of an HMAC on every authenticated request.
 */
export function safeEqual(a: string | undefined | null, b: string | undefined | null): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer')) && a.length === b.length;
}

/**
 * Constant-time comparison against one configured secret, for a hot route (a webhook key
 * checked on every delivery). The candidate's bytes are compared with timingSafeEqual when
 * they have the secret's length, else the secret with itself: the same work either way, so
 * the time taken depends on the secret's length and the candidate's own, never on which bytes
 * match or on whether the lengths do. No hashing: a SHA-256 per request cost ~3 µs on the lane.
 * No secret never matches.
 */
export class SecretMatcher {
  private readonly bytes?: Buffer;

  constructor(secret: string | undefined) {
    this.bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : undefined;
  }

  matches(candidate: string | undefined | null): boolean {
    const secret = this.bytes;
    if (!secret || typeof candidate !== 'string') return false;
    const given = Buffer.from(candidate, 'utf8');
    const sameLength = given.length === secret.length;
    const equal = timingSafeEqual(sameLength ? given : secret, secret);
    return sameLength && equal;
  }
}

export function hmacSha256Hex(secret: string, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Checks a `sha256=<hex>` header against the HMAC of the raw body, in constant time. */
export function verifySha256Signature(secret: string, rawBody: Buffer | undefined, header: string | undefined): boolean {
  if (!rawBody || typeof header !== 'string') return false;
  const prefix = 'sha256=';
  if (!header.toLowerCase().startsWith(prefix)) return false;
  const given = header.slice(prefix.length).trim().toLowerCase();
  return safeEqual(given, hmacSha256Hex(secret, rawBody));
}

/** Reads a Bearer token from an Authorization header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : undefined;
}

/** True when `candidate` equals any of `keys`; every key is compared so timing does not reveal which matched. */
export function matchesAnyKey(candidate: string | undefined, keys: readonly string[]): boolean {
  let ok = false;
  for (const key of keys) ok = safeEqual(candidate, key) || ok;
  return ok;
}
