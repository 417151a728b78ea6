import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { verifySha256Signature } from '../../../common/secrets';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { IngestStats } from '../../ingest-stats.service';

/**
 * `X-Connector-Signature: sha256=<hex HMAC-SHA256(raw body)>` with CONNECTOR_WEBHOOK_SECRET.
 * Open when no secret is configured (development; refused at boot in production).
 */
@Injectable()
export class ConnectorSignatureGuard implements CanActivate {
  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly stats: IngestStats,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const secret = this.cfg.connectorWebhookSecret;
    if (!secret) return true;
    const req = ctx.switchToHttp().getRequest<RawBodyRequest<Request>>();
    const header = req.headers['x-connector-signature'];
    if (verifySha256Signature(secret, req.rawBody, typeof header === 'string' ? header : undefined)) return true;
    this.stats.recordRejected('push', 'bad_signature');
    throw new UnauthorizedException('Invalid signature');
  }
}
