import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Channel } from '../channel.port';
import { ChannelRegistry } from '../channel.registry';

export class RasaCannotDeliverError extends Error {
  constructor() {
    super(
      'The Rasa channel does not send unprompted messages: Rasa owns the conversation, and this service only answers the actions Rasa calls',
    );
    this.name = 'RasaCannotDeliverError';
  }
}

/** The Rasa channel's adapter. Replies travel back in Rasa's action calls, so it never speaks first. */
@Injectable()
export class RasaChannel implements Channel, OnModuleInit {
  readonly id = 'rasa' as const;
  readonly canDeliver = false;

  constructor(private readonly registry: ChannelRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(): Promise<void> {
    throw new RasaCannotDeliverError();
  }
}
