import { Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health.registry';
import { InvalidBodyHooks } from './invalid-body.hooks';
import { MetricsService } from './metrics.service';

/** Metrics registry and health probes, available to every module. */
@Global()
@Module({
  providers: [MetricsService, HealthRegistry, InvalidBodyHooks],
  exports: [MetricsService, HealthRegistry, InvalidBodyHooks],
})
export class ObservabilityModule {}
