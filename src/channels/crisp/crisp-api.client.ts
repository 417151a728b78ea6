import { Inject, Injectable, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Counter } from 'prom-client';
import { crispConfig, type ConfigOf } from '../../config/config.namespaces';
import { MetricsService } from '../../observability/metrics.service';
import { OutboundHttp, OutboundNetworkError, type OutboundResponse } from '../../common/outbound-http';
import { parseRetryAfterMs } from '../../common/retry-after';
import { DeliveryError } from '../channel-adapter.port';
import { CRISP_REQUEST_TIMEOUT_MS } from './crisp.constants';

/** Rate limits (429, 420 "Enhance Your Calm"), server errors and network failures (no status) are worth another try. */
const isRetriable = (status: number | undefined) => status === undefined || status === 429 || status === 420 || status >= 500;

/** A failed Crisp REST call. `status` is undefined for network errors and timeouts. */
export class CrispApiError extends DeliveryError {
  constructor(
    readonly route: string,
    status: number | undefined,
    readonly reason: string,
    retryAfterMs?: number,
  ) {
    super(`Crisp ${route} failed: ${status === undefined ? reason : `HTTP ${status} ${reason}`}`, isRetriable(status), status, retryAfterMs);
    this.name = 'CrispApiError';
  }
}

export interface CrispConversationMeta {
  email?: string;
  nickname?: string;
  data?: Record<string, string | number | boolean>;
}

/**
 * Minimal typed client for the three Crisp REST v1 routes we use. Not the crisp-api
 * package: it reports network failures as HTTP 500, which hides what went wrong;
 * retries are ours either way (the reply pipeline's JOB_QUEUE attempts).
 */
@Injectable()
export class CrispApiClient {
  private readonly logger = new Logger(CrispApiClient.name);
  private readonly base: string;
  /** Set while Crisp answers 401/403: the token is wrong or lacks a scope, and retrying will not fix it. */
  private credentialsRejected?: { at: string; status: number; route: string };
  private readonly headers: Record<string, string>;
  private readonly errors: Counter<string>;

  constructor(
    @Inject(crispConfig.KEY) private readonly cfg: ConfigOf<typeof crispConfig>,
    metrics: MetricsService,
    private readonly http: OutboundHttp,
  ) {
    this.base = `${cfg.apiUrl.replace(/\/+$/, '')}/v1/website/${encodeURIComponent(cfg.websiteId)}/conversation/`;
    this.headers = {
      authorization: `Basic ${Buffer.from(`${cfg.tokenIdentifier}:${cfg.tokenKey}`).toString('base64')}`,
      'x-crisp-tier': cfg.tokenTier,
      'content-type': 'application/json',
      'user-agent': 'activity-copilot',
    };
    this.errors = metrics.counter({
      name: 'crisp_api_errors_total',
      help: 'Failed Crisp REST calls by route and status (network for no response)',
      labelNames: ['route', 'status'],
    });
  }

  /** Posts a text message as an operator, under the bot's nickname. */
  async sendTextMessage(sessionId: string, content: string): Promise<void> {
    await this.call('send_message', 'POST', sessionId, 'message', {
      type: 'text',
      from: 'operator',
      origin: 'chat',
      content,
      user: { nickname: this.cfg.botName },
    });
  }

  /** Posts a `picker` message (a question with choice buttons) as an operator. */
  async sendPicker(sessionId: string, picker: { id: string; text: string; choices: string[] }): Promise<void> {
    await this.call('send_message', 'POST', sessionId, 'message', {
      type: 'picker',
      from: 'operator',
      origin: 'chat',
      content: {
        id: picker.id,
        text: picker.text,
        choices: picker.choices.map((label, i) => ({ value: `choice_${i + 1}`, label, selected: false })),
      },
      user: { nickname: this.cfg.botName },
    });
  }

  /** Typing indicator on the visitor's side. */
  async compose(sessionId: string, type: 'start' | 'stop'): Promise<void> {
    await this.call('compose', 'PATCH', sessionId, 'compose', { type, from: 'operator' });
  }

  async getConversationMeta(sessionId: string): Promise<CrispConversationMeta> {
    const data = await this.call('get_meta', 'GET', sessionId, 'meta');
    return data && typeof data === 'object' ? (data as CrispConversationMeta) : {};
  }

  private async call(route: string, method: string, sessionId: string, suffix: string, body?: unknown): Promise<unknown> {
    const url = `${this.base}${encodeURIComponent(sessionId)}/${suffix}`;
    let res: OutboundResponse;
    try {
      res = await this.http.request(url, {
        method,
        headers: this.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: CRISP_REQUEST_TIMEOUT_MS,
      });
    } catch (err) {
      this.errors.inc({ route, status: 'network' });
      throw new CrispApiError(route, undefined, err instanceof OutboundNetworkError ? err.code === 'timeout' ? err.message : err.code : String(err));
    }
    const parsed = parseEnvelope(res.text);
    if (res.status < 200 || res.status >= 300) {
      this.errors.inc({ route, status: String(res.status) });
      if (res.status === 401 || res.status === 403) this.noteRejected(route, res.status);
      // Crisp says when to come back on 429 (and some 5xx): honoured, up to the retry window.
      const retryAfter = parseRetryAfterMs(res.headers, Date.now(), 15 * 60_000);
      throw new CrispApiError(route, res.status, typeof parsed?.reason === 'string' ? parsed.reason : STATUS_CODES[res.status] || 'error', retryAfter);
    }
    if (this.credentialsRejected) {
      this.credentialsRejected = undefined;
      this.logger.log('Crisp accepts the API token again');
    }
    return parsed?.data;
  }

  /** Health: `down` while Crisp rejects the token, naming the variables to fix. */
  status(): { status: 'up' | 'down'; credentials: 'ok' | 'rejected'; fix?: string; since?: string; http_status?: number } {
    const r = this.credentialsRejected;
    if (!r) return { status: 'up', credentials: 'ok' };
    return { status: 'down', credentials: 'rejected', fix: 'CRISP_TOKEN_IDENTIFIER, CRISP_TOKEN_KEY (and CRISP_TOKEN_TIER)', since: r.at, http_status: r.status };
  }

  /** Logged once per change, not per request. */
  private noteRejected(route: string, status: number): void {
    if (this.credentialsRejected) return;
    this.credentialsRejected = { at: new Date().toISOString(), status, route };
    this.logger.error({ route, status }, 'Crisp rejected the API token; check CRISP_TOKEN_IDENTIFIER and CRISP_TOKEN_KEY (and CRISP_TOKEN_TIER, and the plugin\'s scopes)');
  }
}

function parseEnvelope(text: string): { error?: unknown; reason?: unknown; data?: unknown } | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as { error?: unknown; reason?: unknown; data?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

