import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, safeEqual } from '../../common/secrets';
import { rasaConfig, type ConfigOf } from '../../config/config.namespaces';

/**
 * RASA_ACTION_TOKEN, when set, must come with every action call. Rasa's endpoint
 * config can send it as a header (`headers: Authorization: Bearer …`) or as a
 * query parameter (`token: …` → `?token=`), so both are accepted.
 */
@Injectable()
export class RasaActionTokenGuard implements CanActivate {
  constructor(@Inject(rasaConfig.KEY) private readonly cfg: ConfigOf<typeof rasaConfig>) {}

  canActivate(ctx: ExecutionContext): boolean {
    const expected = this.cfg.actionToken;
    if (!expected) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const fromHeader = bearerToken(req.headers.authorization);
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (safeEqual(fromHeader ?? fromQuery, expected)) return true;
    throw new UnauthorizedException('Missing or invalid Rasa action token');
  }
}
