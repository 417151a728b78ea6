import { Inject, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { MAX_ID_CHARS } from '../common/limits';
import { browserConfig, type ConfigOf } from '../config/config.namespaces';
import { IdentityVerifier } from '../copilot/identity-verifier';
import { BROWSER_THROTTLER_STORAGE, TOKEN_IN_QUERY_KEY, USER_ID_HEADER, USER_TOKEN_HEADER, type BrowserRequest } from './browser.constants';

const WINDOW_MS = 60_000;

/**
 * The one door of every browser endpoint. A request passes only with a user token that
 * proves its user id (hex HMAC-SHA256 of the id with USER_TOKEN_SECRET, compared in
 * constant time, whatever IDENTITY_VERIFICATION says), and within two budgets: per client
 * IP (counted for every request, so guessing tokens costs budget too) and per proven user
 * (never counted for a request that failed, so nobody spends another user's budget by naming them).
 * The proven id is put on the request; handlers read nothing else.
 */
@Injectable()
export class BrowserAccessGuard extends ThrottlerGuard {
  constructor(
    // Every parameter names its token: ThrottlerGuard's own @Inject metadata is inherited and would fill the gaps.
    @Inject(BROWSER_THROTTLER_STORAGE) storage: ThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
    @Inject(IdentityVerifier) private readonly verifier: IdentityVerifier,
    @Inject(browserConfig.KEY) cfg: ConfigOf<typeof browserConfig>,
  ) {
    const options: ThrottlerModuleOptions = {
      setHeaders: false,
      throttlers: [
        { name: 'ip', ttl: WINDOW_MS, limit: cfg.ipRateLimitPerMinute, getTracker: (req) => `ip:${String((req as BrowserRequest).ip ?? 'unknown')}` },
        {
          name: 'user',
          ttl: WINDOW_MS,
          limit: cfg.userRateLimitPerMinute,
          skipIf: (ctx) => !ctx.switchToHttp().getRequest<BrowserRequest>().browserUserId,
          getTracker: (req) => `user:${(req as BrowserRequest).browserUserId}`,
        },
      ],
      generateKey: (_ctx, tracker, name) => createHash('sha256').update(`browser:${name}:${tracker}`).digest('hex'),
    };
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<BrowserRequest>();
    const inQuery = this.reflector.get<boolean | undefined>(TOKEN_IN_QUERY_KEY, context.getHandler()) === true;
    const { userId, token } = inQuery ? fromQuery(req) : fromHeaders(req);
    const proven = userId !== undefined && this.verifier.holdsUserToken('browser', userId, token);
    req.browserUserId = proven ? userId : undefined;
    await super.canActivate(context);
    // One message for every failure: a caller learns nothing about which part was wrong.
    if (!proven) throw new UnauthorizedException('A valid user id and user token are required');
    return true;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    throw new ThrottlerException(`Too many requests (limit ${detail.limit} per minute); retry in ${detail.timeToBlockExpire} s`);
  }
}

interface Claim {
  userId?: string;
  token?: string;
}

function single(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function validId(v: string | undefined): string | undefined {
  const id = v?.trim();
  return id && id.length <= MAX_ID_CHARS ? id : undefined;
}

function fromHeaders(req: BrowserRequest): Claim {
  return { userId: validId(single(req.headers[USER_ID_HEADER])), token: single(req.headers[USER_TOKEN_HEADER]) };
}

function fromQuery(req: BrowserRequest): Claim {
  const q = req.query as Record<string, unknown>;
  return { userId: validId(single(q.userId)), token: single(q.token) };
}
