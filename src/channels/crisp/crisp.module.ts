import { Module, type OnModuleInit } from '@nestjs/common';
import { CopilotModule } from '../../copilot/copilot.module';
import { HealthRegistry } from '../../observability/health.registry';
import { CrispAdapter } from './crisp.adapter';
import { CrispApiClient } from './crisp-api.client';
import { CrispProactiveSender } from './crisp-proactive.sender';
import { CrispHookAuthenticator } from './crisp-hook.authenticator';
import { CrispHookRoute } from './crisp-hook.route';
import { CrispWebhookController } from './crisp-webhook.controller';
import { CrispWebhookService } from './crisp-webhook.service';

/** CHANNELS=crisp: POST /crisp/hooks in, operator messages out through the reply pipeline. */
@Module({
  imports: [CopilotModule],
  controllers: [CrispWebhookController],
  providers: [CrispApiClient, CrispHookAuthenticator, CrispHookRoute, CrispWebhookService, CrispAdapter, CrispProactiveSender],
  exports: [CrispAdapter, CrispProactiveSender],
})
export class CrispModule implements OnModuleInit {
  constructor(
    private readonly crisp: CrispApiClient,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('crisp', () => this.crisp.status());
  }
}
