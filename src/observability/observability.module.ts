import { Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health.registry';
import { MetricsService } from './metrics.service';

/** Metrics registry and health probes, available to every module. */
@Global()
@Module({
  providers: [MetricsService, HealthRegistry],
  exports: [MetricsService, HealthRegistry],
})
export class ObservabilityModule {}
