import { DynamicModule, Global, Module } from '@nestjs/common';
import type { ChannelId } from '../config/env.schema';
import { CopilotModule } from '../copilot/copilot.module';
import { CHANNEL_ADAPTERS, type ChannelAdapter } from './channel-adapter.port';
import { CHANNEL_DEFINITIONS } from './channel-definitions';
import { DeadLettersController } from './dead-letters.controller';
import { DEFAULT_DELIVERY_POLICY, DELIVERY_POLICY } from './delivery-policy';
import { PROACTIVE_SENDERS, type ProactiveSender } from './proactive-sender.port';
import { ReplyPipeline } from './reply-pipeline.service';

/**
 * Mounts the enabled channels and the shared reply pipeline. CHANNEL_ADAPTERS resolves
 * to the adapters of the enabled channels that send asynchronously, PROACTIVE_SENDERS to
 * those that can speak first (for the proactive module); the pipeline (global,
 * so channel modules can hand messages to it) sends through them.
 */
@Global()
@Module({})
export class ChannelsModule {
  static register(enabled: readonly ChannelId[]): DynamicModule {
    const definitions = [...new Set(enabled)].map((id) => CHANNEL_DEFINITIONS[id]);
    const modules = [...new Set(definitions.flatMap((d) => d.modules))];
    const adapters = definitions.flatMap((d) => (d.adapter ? [d.adapter] : []));
    const senders = definitions.flatMap((d) => (d.proactive ? [d.proactive] : []));
    return {
      module: ChannelsModule,
      imports: [CopilotModule, ...modules],
      controllers: [DeadLettersController],
      providers: [
        { provide: DELIVERY_POLICY, useValue: DEFAULT_DELIVERY_POLICY },
        { provide: CHANNEL_ADAPTERS, inject: adapters, useFactory: (...list: ChannelAdapter[]) => list },
        { provide: PROACTIVE_SENDERS, inject: senders, useFactory: (...list: ProactiveSender[]) => list },
        ReplyPipeline,
      ],
      exports: [ReplyPipeline, CHANNEL_ADAPTERS, PROACTIVE_SENDERS],
    };
  }
}
