import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { safeEqual, verifySha256Signature } from '../../../common/secrets';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { IngestStats } from '../../ingest-stats.service';

/**
 * `X-PostHog-Secret` with POSTHOG_WEBHOOK_SECRET, either the plain secret (what a Hog
 * destination can send) or `sha256=<hex HMAC-SHA256(raw body)>`. Both comparisons run
 * in constant time. Open when no secret is configured (refused at boot in production).
 */
@Injectable()
export class PosthogSecretGuard implements CanActivate {
  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly stats: IngestStats,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const secret = this.cfg.posthogWebhookSecret;
    if (!secret) return true;
    const req = ctx.switchToHttp().getRequest<RawBodyRequest<Request>>();
    const raw = req.headers['x-posthog-secret'];
    const header = typeof raw === 'string' ? raw.trim() : undefined;
    // Evaluate both so the time taken does not depend on which form was sent.
    const plain = safeEqual(header, secret);
    const signed = verifySha256Signature(secret, req.rawBody, header);
    if (plain || signed) return true;
    this.stats.recordRejected('posthog', 'bad_secret');
    throw new UnauthorizedException('Invalid secret');
  }
}
