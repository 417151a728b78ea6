import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { hmacSha256Hex, safeEqual } from '../common/secrets';
import { identityConfig, type ConfigOf } from '../config/config.namespaces';
import type { ChannelId } from '../config/env.schema';
import { MetricsService } from '../observability/metrics.service';

/** The channels that carry identity claims (the REST API and the bridge are called by servers holding an API key). */
export type ClaimChannel = ChannelId | 'bridge' | 'browser';

export type ClaimOutcome = 'verified' | 'unverified' | 'rejected';

/** The user token a company's backend computes for a user: hex HMAC-SHA256 of the user id, keyed with USER_TOKEN_SECRET. */
export function userTokenFor(secret: string, userId: string): string {
  return hmacSha256Hex(secret, userId);
}

/**
 * Decides whether an identity a browser claimed (Crisp session data, Rasa widget
 * metadata) may ground replies in that user's activity. `required`: only with a valid
 * user token. `optional`: a token, when present, must be valid; a claim without one is
 * taken as is (and counted). `off`: every claim is taken. Tokens are compared in
 * constant time. Emails link a conversation to a user only when the channel says the
 * email is verified, unless verification is off.
 */
@Injectable()
export class IdentityVerifier {
  private readonly claims: Counter<string>;

  constructor(
    @Inject(identityConfig.KEY) private readonly cfg: ConfigOf<typeof identityConfig>,
    metrics: MetricsService,
  ) {
    this.claims = metrics.counter({
      name: 'identity_claims_total',
      help: 'Identity claims from browsers, by channel and outcome (verified, unverified = taken without a token, rejected = not taken)',
      labelNames: ['channel', 'outcome'],
    });
  }

  get mode(): ConfigOf<typeof identityConfig>['mode'] {
    return this.cfg.mode;
  }

  /** Whether a claimed user id may be used; counts the outcome. */
  /** Same verdict as trustUserId, without counting a claim (for a second look at one already counted). */
  accepts(userId: string, token: string | undefined): boolean {
    return this.judge(userId, token) !== 'rejected';
  }

  trustUserId(channel: ClaimChannel, userId: string, token: string | undefined): boolean {
    const outcome = this.judge(userId, token);
    this.claims.inc({ channel, outcome });
    return outcome !== 'rejected';
  }

  /**
   * Strict check for callers that accept nothing but a valid token whatever IDENTITY_VERIFICATION
   * says (the browser endpoints): false without a secret or a token. Constant time; counted.
   */
  holdsUserToken(channel: ClaimChannel, userId: string, token: string | undefined): boolean {
    const secret = this.cfg.secret;
    const given = token?.trim().toLowerCase();
    const ok = Boolean(secret && given) && safeEqual(given, userTokenFor(secret!, userId));
    this.claims.inc({ channel, outcome: ok ? 'verified' : 'rejected' });
    return ok;
  }

  judge(userId: string, token: string | undefined): ClaimOutcome {
    const { mode, secret } = this.cfg;
    if (mode === 'off') return 'verified';
    const given = token?.trim().toLowerCase();
    if (!given) return mode === 'required' ? 'rejected' : 'unverified';
    if (!secret) return 'unverified';
    return safeEqual(given, userTokenFor(secret, userId)) ? 'verified' : 'rejected';
  }

  /** Whether an email may link a conversation to a user: verified by the channel, or verification off. */
  trustEmail(channel: ClaimChannel, emailVerified: boolean | undefined): boolean {
    if (this.cfg.mode === 'off' || emailVerified === true) return true;
    this.claims.inc({ channel, outcome: 'rejected' });
    return false;
  }
}
