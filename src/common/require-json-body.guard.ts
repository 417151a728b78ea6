import { BadRequestException, CanActivate, ExecutionContext, Injectable, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidBodyHooks } from '../observability/invalid-body.hooks';

/**
 * For routes whose body is the whole point (webhooks): an empty body is refused with
 * a 400 saying so. The JSON parser reads an empty body as `{}`, which would otherwise
 * reach the route looking like an event with nothing in it. Listed after the route's
 * auth guard, so an unauthenticated caller still gets 401.
 */
@Injectable()
export class RequireJsonBodyGuard implements CanActivate {
  constructor(private readonly invalidBodies: InvalidBodyHooks) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<RawBodyRequest<Request>>();
    if (req.rawBody && req.rawBody.length > 0) return true;
    this.invalidBodies.report(req.path, 'invalid_json');
    throw new BadRequestException('Request body is empty; expected JSON');
  }
}
