import { Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { singleHeader, singleQueryValue, type HotRequest } from '../../common/hot-routes';
import { hmacSha256Hex, safeEqual, SecretMatcher } from '../../common/secrets';
import { crispConfig, type ConfigOf } from '../../config/config.namespaces';
import { MetricsService } from '../../observability/metrics.service';

/**
 * Website hooks are unsigned, so the URL carries a secret (`?key=`). Plugin hooks are
 * also signed: hex HMAC-SHA256 over "[" + X-Crisp-Request-Timestamp + ";" + body + "]",
 * checked when CRISP_HOOK_SIGNING_SECRET is set.
 */
@Injectable()
export class CrispHookAuthenticator {
  private readonly logger = new Logger(CrispHookAuthenticator.name);
  private readonly rejected: Counter<string>;
  private readonly hookKey: SecretMatcher;

  constructor(
    @Inject(crispConfig.KEY) private readonly cfg: ConfigOf<typeof crispConfig>,
    metrics: MetricsService,
  ) {
    this.hookKey = new SecretMatcher(cfg.webhookSecret);
    this.rejected = metrics.counter({ name: 'crisp_hooks_unauthorized_total', help: 'Crisp hook requests refused (bad key or signature)', labelNames: ['check'] });
  }

  /** Throws 401 unless the hook carries the key (and, for plugin hooks, a fresh valid signature). */
  verify(req: HotRequest): void {
    if (!this.hookKey.matches(singleQueryValue(req.query, 'key'))) return this.refuse(req, 'key');
    if (this.cfg.hookSigningSecret) {
      const timestamp = singleHeader(req.headers, 'x-crisp-request-timestamp');
      if (!this.signatureValid(req, timestamp, this.cfg.hookSigningSecret)) return this.refuse(req, 'signature');
      // The timestamp is signed; its age is what keeps a captured hook from being replayed later.
      if (!this.timestampFresh(timestamp)) return this.refuse(req, 'timestamp');
    }
  }

  /**
   * Crisp's Node library and docs sign `JSON.stringify(body)`, the Go library signs the
   * bytes as sent; the two agree only when Crisp sends compact JSON. Both forms are
   * computed and compared (constant time) every time, so timing says nothing about which matched.
   */
  private signatureValid(req: HotRequest, timestamp: string | undefined, secret: string): boolean {
    const signature = singleHeader(req.headers, 'x-crisp-signature');
    if (!signature || !timestamp) return false;
    const given = signature.trim().toLowerCase();
    const overBytes = hmacSha256Hex(secret, Buffer.concat([Buffer.from(`[${timestamp};`), req.rawBody, Buffer.from(']')]));
    const overJson = hmacSha256Hex(secret, `[${timestamp};${JSON.stringify(req.body ?? {})}]`);
    const bytesOk = safeEqual(given, overBytes);
    const jsonOk = safeEqual(given, overJson);
    return bytesOk || jsonOk;
  }

  /** Within CRISP_SIGNATURE_MAX_AGE_SECONDS of now, either way (seconds or milliseconds, as Crisp does not say). */
  private timestampFresh(raw: string | undefined): boolean {
    if (!raw || !/^\d{9,14}$/.test(raw.trim())) return false;
    const n = Number(raw.trim());
    const ms = n >= 1e11 ? n : n * 1000;
    return Math.abs(Date.now() - ms) <= this.cfg.signatureMaxAgeSeconds * 1000;
  }

  private refuse(req: HotRequest, check: 'key' | 'signature' | 'timestamp'): never {
    this.rejected.inc({ check });
    this.logger.warn({ check, ip: req.ip, reqId: req.requestId }, 'crisp hook refused');
    throw new UnauthorizedException('Unauthorized');
  }
}
