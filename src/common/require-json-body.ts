import { BadRequestException } from '@nestjs/common';
import type { InvalidBodyHooks } from '../observability/invalid-body.hooks';
import type { HotRequest } from './hot-routes';

/**
 * For routes whose body is the whole point (webhooks): an empty body is refused with a
 * 400 saying so, after the route's authentication (an unauthenticated caller still gets
 * 401). The JSON parser would otherwise read it as `{}`, an event with nothing in it.
 */
export function requireJsonBody(req: HotRequest, invalidBodies: InvalidBodyHooks): void {
  if (req.rawBody.length > 0) return;
  invalidBodies.report(req.path, 'invalid_json');
  throw new BadRequestException('Request body is empty; expected JSON');
}
