import { BadRequestException } from '@nestjs/common';

/**
 * Webhook routes receive the raw bytes (signatures are computed over them) and
 * parse JSON only after authentication.
 */
export function parseJsonBuffer(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new BadRequestException('Request body is empty; expected JSON');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestException(`Invalid JSON body: ${(err as Error).message}`);
  }
}

/** Path prefixes whose bodies are kept raw (Buffer) for signature checks. */
export const RAW_BODY_PATHS = ['/v1/activity', '/crisp/hooks'];
