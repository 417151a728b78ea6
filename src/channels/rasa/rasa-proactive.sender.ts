import { Inject, Injectable } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { OutboundHttp, OutboundNetworkError } from '../../common/outbound-http';
import { parseRetryAfterMs } from '../../common/retry-after';
import { proactiveConfig, rasaConfig, type ConfigOf } from '../../config/config.namespaces';
import { DeliveryError } from '../channel-adapter.port';
import type { ProactiveMessage, ProactiveSender, ProactiveTarget } from '../proactive-sender.port';

const TRIGGER_TIMEOUT_MS = 10_000;

/**
 * Nudges through Rasa's HTTP API: `POST {RASA_URL}/conversations/{sender_id}/trigger_intent
 * ?output_channel=latest` with PROACTIVE_RASA_INTENT and the entities `trigger_id` and
 * `message`; the bot's rule runs `action_proactive_nudge` (served here), which utters the
 * message. The sender id is the user's, learned from their action calls.
 */
@Injectable()
export class RasaProactiveSender implements ProactiveSender {
  readonly id = 'rasa' as const;

  constructor(
    private readonly http: OutboundHttp,
    @Inject(rasaConfig.KEY) private readonly rasa: ConfigOf<typeof rasaConfig>,
    @Inject(proactiveConfig.KEY) private readonly cfg: ConfigOf<typeof proactiveConfig>,
  ) {}

  async send(target: ProactiveTarget, message: ProactiveMessage): Promise<void> {
    if (!this.rasa.url) throw new DeliveryError('RASA_URL is not set: Rasa cannot be asked to speak first', false);
    const url = new URL(`${this.rasa.url.replace(/\/+$/, '')}/conversations/${encodeURIComponent(target.conversationId)}/trigger_intent`);
    url.searchParams.set('output_channel', 'latest');
    if (this.rasa.token) url.searchParams.set('token', this.rasa.token);
    const body = JSON.stringify({ name: this.cfg.rasaIntent, entities: { trigger_id: message.nudgeId, message: message.text } });
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    try {
      ({ status, headers } = await this.http.request(url.toString(), { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: TRIGGER_TIMEOUT_MS }));
    } catch (err) {
      throw new DeliveryError(`Rasa trigger_intent failed: ${err instanceof OutboundNetworkError ? err.code : String(err)}`, true);
    }
    if (status >= 200 && status < 300) return;
    // 404: the intent is not in the bot's domain (or no such conversation); 401/403: wrong RASA_TOKEN. Retrying will not help.
    const retriable = status === 429 || status >= 500;
    throw new DeliveryError(`Rasa trigger_intent failed: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim(), retriable, status, parseRetryAfterMs(headers, Date.now(), 15 * 60_000));
  }
}
