import { Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health.registry';
import { InvalidBodyHooks } from './invalid-body.hooks';
import { MetricsService } from './metrics.service';
import { ShutdownState } from './shutdown.state';

/** Metrics registry and health probes, available to every module. */
@Global()
@Module({
  providers: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState],
  exports: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState],
})
export class ObservabilityModule {}
