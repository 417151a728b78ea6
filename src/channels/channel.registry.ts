import { Injectable, NotFoundException } from '@nestjs/common';
import type { ChannelId } from '../config/env.schema';
import type { Channel, DeliveryTarget, OutboundMessage } from './channel.port';

/**
 * The CHANNELS registry: each enabled channel module registers its adapter on init;
 * proactive delivery and other cross-channel callers look adapters up by id.
 */
@Injectable()
export class ChannelRegistry {
  private readonly channels = new Map<ChannelId, Channel>();

  register(channel: Channel): void {
    this.channels.set(channel.id, channel);
  }

  get(id: ChannelId): Channel | undefined {
    return this.channels.get(id);
  }

  list(): Channel[] {
    return [...this.channels.values()];
  }

  async deliver(id: ChannelId, target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const channel = this.channels.get(id);
    if (!channel) throw new NotFoundException(`channel ${id} is not enabled`);
    await channel.deliver(target, message);
  }
}
