import { Global, Module } from '@nestjs/common';
import { HotRouteRegistry } from '../common/hot-routes';
import { OutboundHttp } from '../common/outbound-http';
import { HealthRegistry } from './health.registry';
import { InvalidBodyHooks } from './invalid-body.hooks';
import { MetricsService } from './metrics.service';
import { HttpMetrics } from './http-metrics';
import { RecentErrors } from './recent-errors';
import { ShutdownState } from './shutdown.state';

/** Metrics registry, health probes, recent errors, shutdown state, the hot-route registry and the outbound HTTP pool, available to every module. */
@Global()
@Module({
  providers: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState, HotRouteRegistry, HttpMetrics, OutboundHttp, RecentErrors],
  exports: [MetricsService, HealthRegistry, InvalidBodyHooks, ShutdownState, HotRouteRegistry, HttpMetrics, OutboundHttp, RecentErrors],
})
export class ObservabilityModule {}
