import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsListener } from './metrics.listener';

/** /healthz, /readyz and /metrics; component status comes from the observability registry. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MetricsAccessGuard, MetricsListener],
})
export class HealthModule {}
