import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ActivityReader } from '../activity/activity-reader.service';
import { errorMessage } from '../common/text';
import type { ChannelId } from '../config/env.schema';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';
import { ChatEvents } from './chat-events';
import { MAX_EMAIL_CHARS, MAX_ID_CHARS } from './chat-limits';
import { IdentityVerifier } from './identity-verifier';

/** Who a channel says is behind a conversation (a Crisp session's data, a widget's metadata). */
export interface IdentityClaim {
  userId?: string;
  /** hex(HMAC-SHA256(USER_TOKEN_SECRET, userId)), computed by the company's backend. */
  userToken?: string;
  email?: string;
  /** The channel itself vouches for the email (e.g. Crisp identity verification). */
  emailVerified?: boolean;
}

export interface ResolvedUser {
  userId?: string;
  email?: string;
  /** How the user id was found: claimed on the conversation, matched by a verified email, or not at all. */
  source: 'conversation' | 'email' | 'none';
  /** A claim was made but could not be trusted (bad or missing user token, unverified email). */
  refused?: boolean;
}

interface Known extends IdentityClaim {
  /** Epoch ms of the last lookup through the channel (e.g. Crisp conversation meta). */
  lookedUpAt?: number;
}

/** How long what a channel told us about a conversation is kept. */
const IDENTITY_TTL_SECONDS = 86_400;
/** A conversation whose lookup found no user id is looked up again after this long (the app may set it later). */
export const LOOKUP_RECHECK_MS = 5 * 60_000;

/** A product user id from channel data: string or number, trimmed, bounded. */
export function toUserId(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const id = String(value).trim();
  return id && id.length <= MAX_ID_CHARS ? id : undefined;
}

export function toEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim();
  return email.includes('@') && email.length <= MAX_EMAIL_CHARS ? email : undefined;
}

/**
 * Maps a channel conversation to the product user whose activity grounds its replies:
 * the user id claimed on the conversation (remembered from hooks, or looked up through
 * the channel), else the conversation's email matched against the activity user index.
 * What channels tell us lives in KEY_VALUE_STORE, so every replica sees it.
 */
@Injectable()
export class ConversationIdentityService {
  private readonly logger = new Logger(ConversationIdentityService.name);

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly reader: ActivityReader,
    private readonly verifier: IdentityVerifier,
    @Optional() private readonly events?: ChatEvents,
  ) {}

  /** Merges what a channel just told us about a conversation (empty fields are ignored). */
  async remember(channel: ChannelId, conversationId: string, claim: IdentityClaim): Promise<void> {
    const update = clean(claim);
    if (!update.userId && !update.email && update.emailVerified === undefined) return;
    const key = identityKey(channel, conversationId);
    const prev = (await this.kv.get<Known>(key)) ?? {};
    await this.kv.set(key, { ...prev, ...update }, IDENTITY_TTL_SECONDS);
    // Only a trusted claim tells us where a user can be reached: a visitor claiming another user's id must not get their nudges.
    if (update.userId && this.verifier.accepts(update.userId, update.userToken)) {
      await this.events?.emitIdentified({ channel, conversationId, userId: update.userId, at: Date.now() });
    }
  }

  /**
   * `lookup` asks the channel itself (e.g. Crisp conversation meta); it runs when no user
   * id is known and the last lookup is older than LOOKUP_RECHECK_MS. Values learned from
   * hooks win over looked-up ones. A failing lookup costs activity, not the reply.
   */
  async resolve(channel: ChannelId, conversationId: string, lookup?: () => Promise<IdentityClaim>, now = Date.now()): Promise<ResolvedUser> {
    const key = identityKey(channel, conversationId);
    let known = (await this.kv.get<Known>(key)) ?? {};
    const stale = known.lookedUpAt === undefined || now - known.lookedUpAt > LOOKUP_RECHECK_MS;
    if (!known.userId && lookup && stale) {
      try {
        const found = clean(await lookup());
        known = {
          userId: known.userId ?? found.userId,
          userToken: known.userId ? known.userToken : found.userToken,
          email: known.email ?? found.email,
          emailVerified: known.emailVerified ?? found.emailVerified,
          lookedUpAt: now,
        };
        await this.kv.set(key, known, IDENTITY_TTL_SECONDS);
      } catch (err) {
        this.logger.warn({ channel, conversationId, err: errorMessage(err) }, 'could not look the conversation user up through the channel');
      }
    }
    let refused = false;
    if (known.userId) {
      if (this.verifier.trustUserId(channel, known.userId, known.userToken)) return { userId: known.userId, email: known.email, source: 'conversation' };
      refused = true;
      this.logger.warn({ channel, conversationId }, 'claimed user id not trusted (missing or invalid user token); answering without activity');
    }
    if (known.email) {
      if (this.verifier.trustEmail(channel, known.emailVerified)) {
        const userId = await this.reader.findUserByEmail(known.email);
        if (userId) return { userId, email: known.email, source: 'email' };
      } else {
        refused = true;
      }
    }
    return { email: known.email, source: 'none', ...(refused ? { refused } : {}) };
  }
}

function identityKey(channel: ChannelId, conversationId: string): string {
  return `identity:${channel}:${conversationId}`;
}

function clean(claim: IdentityClaim): IdentityClaim {
  const out: IdentityClaim = {};
  const userId = toUserId(claim.userId);
  const email = toEmail(claim.email);
  if (userId) {
    out.userId = userId;
    // A new user id replaces the old token with this claim's (possibly none).
    out.userToken = typeof claim.userToken === 'string' && /^[0-9a-fA-F]{16,128}$/.test(claim.userToken.trim()) ? claim.userToken.trim() : undefined;
  }
  if (email) out.email = email;
  if (typeof claim.emailVerified === 'boolean') out.emailVerified = claim.emailVerified;
  return out;
}
