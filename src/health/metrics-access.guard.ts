import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, safeEqual } from '../common/secrets';
import { appConfig, type ConfigOf } from '../config/config.namespaces';

/**
 * /metrics on the main port: absent (404) when metrics have their own listener
 * (METRICS_PORT) or in production without METRICS_TOKEN; behind `Bearer METRICS_TOKEN`
 * whenever a token is set.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>) {}

  canActivate(ctx: ExecutionContext): boolean {
    const { metrics } = this.app;
    if (!metrics.onMainPort) throw new NotFoundException('Cannot GET /metrics');
    if (!metrics.token) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    if (safeEqual(bearerToken(req.headers.authorization), metrics.token)) return true;
    throw new UnauthorizedException('Missing or invalid metrics token');
  }
}
