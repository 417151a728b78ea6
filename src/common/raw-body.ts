import type { Request } from 'express';

/** Express request with the exact bytes received, kept for signature checks. */
export type RawBodyRequest = Request & { rawBody?: Buffer };
