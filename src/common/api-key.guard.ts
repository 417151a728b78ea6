import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { appConfig, type ConfigOf } from '../config/config.namespaces';
import { bearerToken, matchesAnyKey } from './secrets';

/**
 * Bearer auth from API_KEYS for the public REST API. When API_KEYS is empty the
 * endpoints are open (the production guard at boot refuses that unless
 * ALLOW_UNAUTHENTICATED=true). `?token=` is accepted only on routes marked with
 * @AllowQueryToken (clients that cannot set headers).
 */
export const ALLOW_QUERY_TOKEN = 'activity-copilot:allow-query-token';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>) {}

  canActivate(ctx: ExecutionContext): boolean {
    const keys = this.app.apiKeys;
    if (keys.length === 0) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const allowQuery = Reflect.getMetadata(ALLOW_QUERY_TOKEN, ctx.getHandler()) === true;
    const header = bearerToken(req.headers.authorization);
    const query = allowQuery && typeof req.query.token === 'string' ? req.query.token : undefined;
    if (matchesAnyKey(header ?? query, keys)) return true;
    throw new UnauthorizedException('Missing or invalid API key');
  }
}

export const AllowQueryToken = (): MethodDecorator => (target, key, descriptor) => {
  Reflect.defineMetadata(ALLOW_QUERY_TOKEN, true, descriptor.value as object);
  return descriptor;
};
