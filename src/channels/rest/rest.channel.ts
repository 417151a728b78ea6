import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Channel } from '../channel.port';
import { ChannelRegistry } from '../channel.registry';

export class RestCannotDeliverError extends Error {
  constructor() {
    super('The REST channel cannot send unprompted messages: REST clients receive replies only in answer to POST /v1/chat');
    this.name = 'RestCannotDeliverError';
  }
}

/** The REST channel's adapter: request/response only, so it never speaks first. */
@Injectable()
export class RestChannel implements Channel, OnModuleInit {
  readonly id = 'rest' as const;
  readonly canDeliver = false;

  constructor(private readonly registry: ChannelRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(): Promise<void> {
    throw new RestCannotDeliverError();
  }
}
