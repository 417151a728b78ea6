import { Injectable } from '@nestjs/common';

/**
 * Set at the first SIGTERM/SIGINT, before anything closes: from then on new work is
 * refused with 503 (webhook senders redeliver to another replica or after the
 * restart) while work already accepted drains. Listeners start their own draining
 * (the job queue stops taking jobs) at that moment, not when Nest's hooks reach them.
 */
@Injectable()
export class ShutdownState {
  private started = false;
  private readonly listeners: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.started;
  }

  onShutdown(listener: () => void): void {
    this.listeners.push(listener);
  }

  begin(): void {
    if (this.started) return;
    this.started = true;
    for (const listener of this.listeners) listener();
  }
}
