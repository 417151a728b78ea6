import { CanActivate, ExecutionContext, HttpException, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ConsoleAuth } from './console-auth.service';

/** Marks a console route that answers without a session (the login form, the stylesheet and script). */
export const ConsolePublic = Reflector.createDecorator<boolean>({ transform: () => true });

/** No valid session: pages redirect to the login form, streams and posts answer 401 (ConsoleAuthFilter). */
export class ConsoleLoginRequired extends HttpException {
  constructor() {
    super({ statusCode: 401, error: 'Unauthorized', message: 'Sign in to the console first' }, 401);
  }
}

export type ConsoleRequest = Request & { consoleOperator?: string };

/**
 * Every console route: 404 while the console is off (no CONSOLE_USERS or CONSOLE_TOKEN,
 * so nothing reveals that it exists), else a valid session cookie unless @ConsolePublic().
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly auth: ConsoleAuth,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.auth.enabled) throw new NotFoundException();
    if (this.reflector.get(ConsolePublic, ctx.getHandler()) === true) return true;
    const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
    const operator = this.auth.verify(req.headers.cookie);
    if (!operator) throw new ConsoleLoginRequired();
    req.consoleOperator = operator;
    return true;
  }
}
