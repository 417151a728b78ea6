import { Inject, Injectable, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import { HotRouteRegistry, singleHeader, type HotReply, type HotRequest, type HotRoute } from '../../../common/hot-routes';
import { requireJsonBody } from '../../../common/require-json-body';
import { verifySha256Signature } from '../../../common/secrets';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { InvalidBodyHooks } from '../../../observability/invalid-body.hooks';
import { ActivityIngestService } from '../../activity-ingest.service';
import { IngestStats } from '../../ingest-stats.service';
import type { IngestAcceptedDto } from './push-webhook.dto';

/**
 * POST /v1/activity, a connector event pushed to us: `X-Connector-Signature:
 * sha256=<hex HMAC-SHA256(raw body)>` with CONNECTOR_WEBHOOK_SECRET (open when no secret
 * is configured: development; refused at boot in production), then ingestion.
 */
@Injectable()
export class PushWebhookRoute implements HotRoute, OnModuleInit {
  readonly method = 'POST';
  readonly path = '/v1/activity';

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly ingest: ActivityIngestService,
    private readonly stats: IngestStats,
    private readonly invalidBodies: InvalidBodyHooks,
    private readonly registry: HotRouteRegistry,
  ) {
    invalidBodies.on(this.path, (reason) => stats.recordRejected('push', reason));
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(req: HotRequest): Promise<HotReply> {
    const secret = this.cfg.connectorWebhookSecret;
    if (secret && !verifySha256Signature(secret, req.rawBody, singleHeader(req.headers, 'x-connector-signature'))) {
      this.stats.recordRejected('push', 'bad_signature');
      throw new UnauthorizedException('Invalid signature');
    }
    requireJsonBody(req, this.invalidBodies);
    const outcome = await this.ingest.ingest(req.body, 'push');
    const body: IngestAcceptedDto = outcome.status === 'ignored' ? { ...outcome, ignored: true } : outcome;
    return { status: 202, body };
  }
}
