import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../common/text';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { prependCapped, readCapped } from '../state/capped-list';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';
import { scopeKey } from './session-scope';
import type { SessionScope } from './session-store/session-store.port';

export interface SummaryRecord {
  /** Epoch ms when the summary was stored. */
  at: number;
  text: string;
  /** Who made it: our summarizer (rolling) or the connector (a `summary` event). */
  by: 'summarizer' | 'connector';
}

/** Summaries kept per session, newest first; each text capped (the store holds the full current one). */
const MAX_PER_SESSION = 10;
const MAX_TEXT_CHARS = 2_000;

/**
 * The summaries a session had, as they were made, for operators (the console timeline):
 * the session store keeps only the latest. Written after a summary is stored, in
 * KEY_VALUE_STORE with the session's TTL; a failed write costs the history one entry,
 * never the summary itself. Concurrent summaries of one session are refused by the store
 * (one per revision), so the read-modify-write here does not race in practice.
 */
@Injectable()
export class SummaryHistory {
  private readonly logger = new Logger(SummaryHistory.name);

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(storeConfig.KEY) private readonly cfg: ConfigOf<typeof storeConfig>,
  ) {}

  async record(scope: SessionScope, text: string, by: SummaryRecord['by'], at = Date.now()): Promise<void> {
    try {
      const entry: SummaryRecord = { at, text: text.slice(0, MAX_TEXT_CHARS), by };
      await prependCapped(this.kv, historyKey(scope), entry, { max: MAX_PER_SESSION, ttlSeconds: this.cfg.sessionTtlSeconds });
    } catch (err) {
      this.logger.warn({ productId: scope.productId, sessionId: scope.sessionId, err: errorMessage(err) }, 'could not record the summary in its history');
    }
  }

  /** Newest first. */
  async list(scope: SessionScope): Promise<SummaryRecord[]> {
    return readCapped<SummaryRecord>(this.kv, historyKey(scope));
  }
}

const historyKey = (scope: SessionScope) => `summary-history:${scopeKey(scope)}`;
