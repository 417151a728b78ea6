import { isRecord } from '../../common/text';
import { MAX_ID_CHARS, MAX_MESSAGE_CHARS } from '../../copilot/chat-limits';
import type { RasaActionCall } from './rasa-action-call.schema';

export interface RasaTurnSource {
  /** Rasa's sender_id: one Rasa conversation. */
  conversationId: string;
  /** The product user the widget claims (verified with `userToken` before it grounds a reply). */
  userId?: string;
  /** hex(HMAC-SHA256(USER_TOKEN_SECRET, userId)) from the widget's metadata, when sent. */
  userToken?: string;
  /** Where the user id came from, for logs. */
  userIdFrom: 'metadata.customData.userId' | 'metadata.userId' | 'sender_id' | 'none';
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
 * message metadata the widget sent (customData.userId, then userId); sender_id is
 * taken for a user id only when RASA_SENDER_IS_USER_ID says the deployment sets it so
 * (without metadata it is usually a random socket id, and anyone can choose it).
 */
export function turnSourceFrom(call: RasaActionCall, opts: { senderIsUserId?: boolean } = {}): RasaTurnSource {
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
      : opts.senderIsUserId && conversationId.length <= MAX_ID_CHARS
        ? [conversationId, 'sender_id' as const]
        : [undefined, 'none' as const];
  const token = fromCustom ? custom.userToken : fromMeta ? metadata.userToken : undefined;

  return {
    conversationId,
    userId,
    userToken: typeof token === 'string' ? token : undefined,
    userIdFrom,
    productId: idFrom(custom.productId) ?? idFrom(metadata.productId),
    sessionId: idFrom(custom.sessionId) ?? idFrom(metadata.sessionId),
    text: (latest?.text ?? '').trim().slice(0, MAX_MESSAGE_CHARS),
  };
}
