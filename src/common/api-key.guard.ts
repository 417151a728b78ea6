import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { appConfig, type ConfigOf } from '../config/config.namespaces';
import { bearerToken, matchesAnyKey } from './secrets';

/** Marks a route that also accepts the API key as `?token=` (clients that cannot set headers). */
export const AllowQueryToken = Reflector.createDecorator<boolean>({ transform: () => true });

/**
 * Bearer auth from API_KEYS for the public REST API. When API_KEYS is empty the
 * endpoints are open (the production guard at boot refuses that unless
 * ALLOW_UNAUTHENTICATED=true). `?token=` is accepted only on routes marked with
 * @AllowQueryToken().
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const keys = this.app.apiKeys;
    if (keys.length === 0) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const allowQuery = this.reflector.get(AllowQueryToken, ctx.getHandler()) === true;
    const header = bearerToken(req.headers.authorization);
    const query = allowQuery && typeof req.query.token === 'string' ? req.query.token : undefined;
    if (matchesAnyKey(header ?? query, keys)) return true;
    throw new UnauthorizedException('Missing or invalid API key');
  }
}
