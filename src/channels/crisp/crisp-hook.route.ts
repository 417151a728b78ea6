import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HotRouteRegistry, type HotReply, type HotRequest, type HotRoute } from '../../common/hot-routes';
import { requireJsonBody } from '../../common/require-json-body';
import { InvalidBodyHooks } from '../../observability/invalid-body.hooks';
import { CrispHookAuthenticator } from './crisp-hook.authenticator';
import { CrispWebhookService } from './crisp-webhook.service';
import { parseCrispEnvelope } from './crisp-webhook.schema';

/** POST /crisp/hooks: authenticate, validate, hand off to the reply pipeline, acknowledge. */
@Injectable()
export class CrispHookRoute implements HotRoute, OnModuleInit {
  readonly method = 'POST';
  readonly path = '/crisp/hooks';

  constructor(
    private readonly auth: CrispHookAuthenticator,
    private readonly hooks: CrispWebhookService,
    private readonly invalidBodies: InvalidBodyHooks,
    private readonly registry: HotRouteRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(req: HotRequest): Promise<HotReply> {
    this.auth.verify(req);
    requireJsonBody(req, this.invalidBodies);
    await this.hooks.handle(parseCrispEnvelope(req.body));
    return { status: 200, body: OK };
  }
}

const OK = Object.freeze({ status: 'ok' as const });
