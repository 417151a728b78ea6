import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { createHash } from 'node:crypto';

/**
 * Rate limit for chat routes keyed on the product user id (route param or body),
 * so one busy user cannot starve others behind the same client IP, and one budget
 * covers every chat route. Requests that name no user fall back to the client IP.
 */
@Injectable()
export class ChatThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as Request;
    const fromParams = r.params?.userId;
    const body = r.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body === 'object' && !Buffer.isBuffer(body) ? body.userId : undefined;
    const userId = typeof fromParams === 'string' && fromParams ? fromParams : typeof fromBody === 'string' ? fromBody : undefined;
    return userId ? `user:${userId}` : `ip:${r.ip ?? 'unknown'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return createHash('sha256').update(`chat:${throttlerName}:${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ThrottlerException(`Too many chat requests for this user (limit ${detail.limit} per minute); retry in ${detail.timeToBlockExpire} s`);
  }
}
