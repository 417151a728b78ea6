import { Injectable } from '@nestjs/common';

/**
 * Bodies that fail to parse are refused by the body parser, before any controller
 * runs. Routes that count their rejections (the activity sources) register here to
 * hear about those too.
 */
@Injectable()
export class InvalidBodyHooks {
  private readonly hooks = new Map<string, (reason: string) => void>();

  on(path: string, hook: (reason: string) => void): void {
    this.hooks.set(path, hook);
  }

  report(path: string, reason: string): void {
    this.hooks.get(path.replace(/\/+$/, '') || '/')?.(reason);
  }
}
