import { Injectable } from '@nestjs/common';

export interface ComponentStatus {
  /** `up`: working; `degraded`: working with problems; `down`: not working (fails /readyz). */
  status: 'up' | 'degraded' | 'down';
  [detail: string]: unknown;
}

export type StatusProbe = () => ComponentStatus | Promise<ComponentStatus>;

/**
 * Parts of the app (store, stream source, queues) register a probe here; /healthz
 * shows every probe's details and /readyz fails when any probe reports `down`.
 */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<string, StatusProbe>();

  register(name: string, probe: StatusProbe): void {
    this.probes.set(name, probe);
  }

  unregister(name: string): void {
    this.probes.delete(name);
  }

  async collect(): Promise<Record<string, ComponentStatus>> {
    const out: Record<string, ComponentStatus> = {};
    for (const [name, probe] of this.probes) {
      try {
        out[name] = await probe();
      } catch (err) {
        out[name] = { status: 'down', error: err instanceof Error ? err.message : String(err) };
      }
    }
    return out;
  }
}
