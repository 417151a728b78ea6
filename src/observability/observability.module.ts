import { Global, Module } from '@nestjs/common';
import { HotRouteRegistry } from '../common/hot-routes';
import { HealthRegistry } from './health.registry';
import { InvalidBodyHooks } from './invalid-body.hooks';
import { MetricsService } from './metrics.service';
import { HttpMetrics } from './http-metrics';
import { ShutdownState } from './shutdown.state';

/** Metrics registry, health probes, shutdown state and the hot-route registry, available to every module. */
@Global()
@Module({
  providers: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState, HotRouteRegistry, HttpMetrics],
  exports: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState, HotRouteRegistry, HttpMetrics],
})
export class ObservabilityModule {}
