import { isRecord } from '../../common/text';
import { MAX_ID_CHARS, MAX_MESSAGE_CHARS } from '../../copilot/chat-limits';
import type { RasaActionCall } from './rasa-action-call.schema';

export interface RasaTurnSource {
  /** Rasa's sender_id: one Rasa conversation. */
  conversationId: string;
  /** The product user whose activity grounds the reply. */
  userId: string;
  /** Where the user id came from, for logs. */
  userIdFrom: 'metadata.customData.userId' | 'metadata.userId' | 'sender_id';
  productId?: string;
  sessionId?: string;
  /** The user's latest message, trimmed and capped (empty when Rasa had none, e.g. a triggered intent). */
  text: string;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined);

/** An id from metadata: widgets send strings, some send numbers; anything else is ignored. */
function idFrom(v: unknown): string | undefined {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
  return s && s.length <= MAX_ID_CHARS ? s : undefined;
}

/**
 * Reads who is asking and what from Rasa's tracker. The user id comes from the
 * message metadata the widget sent (customData.userId, then userId), and only then
 * from sender_id: without metadata, sender_id is usually a random socket id.
 */
export function turnSourceFrom(call: RasaActionCall): RasaTurnSource {
  const conversationId = (call.sender_id?.trim() || call.tracker.sender_id?.trim()) as string;
  const latest = call.tracker.latest_message ?? undefined;
  const metadata = asRecord(latest?.metadata) ?? {};
  const custom = asRecord(metadata.customData) ?? {};

  const fromCustom = idFrom(custom.userId);
  const fromMeta = idFrom(metadata.userId);
  const [userId, userIdFrom] = fromCustom
    ? [fromCustom, 'metadata.customData.userId' as const]
    : fromMeta
      ? [fromMeta, 'metadata.userId' as const]
      : [conversationId.slice(0, MAX_ID_CHARS), 'sender_id' as const];

  return {
    conversationId,
    userId,
    userIdFrom,
    productId: idFrom(custom.productId) ?? idFrom(metadata.productId),
    sessionId: idFrom(custom.sessionId) ?? idFrom(metadata.sessionId),
    text: (latest?.text ?? '').trim().slice(0, MAX_MESSAGE_CHARS),
  };
}
