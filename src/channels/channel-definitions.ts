import type { DynamicModule, Type } from '@nestjs/common';
import type { ChannelId } from '../config/env.schema';
import type { ChannelAdapter } from './channel-adapter.port';
import type { ProactiveSender } from './proactive-sender.port';
import { CrispAdapter } from './crisp/crisp.adapter';
import { CrispProactiveSender } from './crisp/crisp-proactive.sender';
import { CrispModule } from './crisp/crisp.module';
import { BridgeModule } from './rasa/bridge/bridge.module';
import { RasaProactiveSender } from './rasa/rasa-proactive.sender';
import { RasaModule } from './rasa/rasa.module';
import { RestProactiveSender } from './rest/rest-proactive.sender';
import { RestChannelModule } from './rest/rest-channel.module';

export interface ChannelDefinition {
  /** Modules mounted when the channel is in CHANNELS (shared ones are mounted once). */
  modules: Array<Type<unknown> | DynamicModule>;
  /** The adapter, for channels that send asynchronously; exported by one of `modules`. */
  adapter?: Type<ChannelAdapter>;
  /** What sends the channel's proactive nudges; exported by one of `modules`. */
  proactive?: Type<ProactiveSender>;
}

/**
 * Every channel, by id. A channel that is not listed in CHANNELS is not imported, so
 * its routes do not exist (404). Adding a channel: its folder, an entry here and its
 * id in the env schema's CHANNEL_IDS.
 */
export const CHANNEL_DEFINITIONS: Record<ChannelId, ChannelDefinition> = {
  rest: { modules: [RestChannelModule, BridgeModule], proactive: RestProactiveSender },
  rasa: { modules: [RasaModule, BridgeModule], proactive: RasaProactiveSender },
  crisp: { modules: [CrispModule], adapter: CrispAdapter, proactive: CrispProactiveSender },
};
