import { BadRequestException, Inject, Injectable, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import { HotRouteRegistry, singleHeader, type HotReply, type HotRequest, type HotRoute } from '../../../common/hot-routes';
import { requireJsonBody } from '../../../common/require-json-body';
import { SecretMatcher, verifySha256Signature } from '../../../common/secrets';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { InvalidBodyHooks } from '../../../observability/invalid-body.hooks';
import { IngestStats } from '../../ingest-stats.service';
import { PosthogIngestService } from './posthog-ingest.service';

/**
 * POST /v1/activity/posthog. `X-PostHog-Secret` with POSTHOG_WEBHOOK_SECRET, either the
 * plain secret (what a Hog destination can send) or `sha256=<hex HMAC-SHA256(raw body)>`;
 * both comparisons run in constant time. Open when no secret is configured (refused at
 * boot in production).
 */
@Injectable()
export class PosthogRoute implements HotRoute, OnModuleInit {
  readonly method = 'POST';
  readonly path = '/v1/activity/posthog';
  private readonly plainSecret: SecretMatcher;

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly posthog: PosthogIngestService,
    private readonly stats: IngestStats,
    private readonly invalidBodies: InvalidBodyHooks,
    private readonly registry: HotRouteRegistry,
  ) {
    this.plainSecret = new SecretMatcher(cfg.posthogWebhookSecret);
    invalidBodies.on(this.path, (reason) => stats.recordRejected('posthog', reason));
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(req: HotRequest): Promise<HotReply> {
    this.authenticate(req);
    requireJsonBody(req, this.invalidBodies);
    try {
      return { status: 202, body: await this.posthog.ingest(req.body) };
    } catch (err) {
      if (err instanceof BadRequestException) this.stats.recordRejected('posthog', 'invalid_body');
      throw err;
    }
  }

  private authenticate(req: HotRequest): void {
    const secret = this.cfg.posthogWebhookSecret;
    if (!secret) return;
    const header = singleHeader(req.headers, 'x-posthog-secret')?.trim();
    // Evaluate both so the time taken does not depend on which form was sent.
    const plain = this.plainSecret.matches(header);
    const signed = verifySha256Signature(secret, req.rawBody, header);
    if (plain || signed) return;
    this.stats.recordRejected('posthog', 'bad_secret');
    throw new UnauthorizedException('Invalid secret');
  }
}
