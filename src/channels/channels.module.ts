import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import type { ChannelId } from '../config/env.schema';
import { CHANNELS } from './channel.port';
import { ChannelRegistry } from './channel.registry';
import { CrispModule } from './crisp/crisp.module';
import { RasaModule } from './rasa/rasa.module';
import { RestChannelModule } from './rest/rest-channel.module';

/**
 * Channel modules by id. A channel that is not listed in CHANNELS is not imported,
 * so its routes do not exist (404).
 */
const CHANNEL_MODULES: Partial<Record<ChannelId, () => Type<unknown> | DynamicModule>> = {
  rest: () => RestChannelModule,
  crisp: () => CrispModule,
  rasa: () => RasaModule,
};

@Global()
@Module({})
export class ChannelsModule {
  static register(enabled: readonly ChannelId[]): DynamicModule {
    const imports = enabled.flatMap((id) => {
      const load = CHANNEL_MODULES[id];
      return load ? [load()] : [];
    });
    return {
      module: ChannelsModule,
      imports,
      providers: [ChannelRegistry, { provide: CHANNELS, useExisting: ChannelRegistry }],
      exports: [ChannelRegistry, CHANNELS],
    };
  }
}
