import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { AI_ROLES, AI_CONTEXT_MAX_TURNS, type AiContext, type AiSlots, type AiTurn } from "../../../contract/ai.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { AiSettingsRow } from "./ai-settings.ts";

export interface AiSessionRow {
  id: string;
  context: unknown;
  currentIntent: string | null;
  slots: unknown;
  escalated: boolean;
  escalatedAt: Date | null;
  escalationReason: string | null;
  lastMessageId: string | null;
  lastAnswer: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isRole = (v: unknown): v is AiTurn["role"] => typeof v === "string" && (AI_ROLES as readonly string[]).includes(v);

/** The stored jsonb context, read defensively: anything that is not a turn is skipped. */
export function readTurns(v: unknown): AiTurn[] {
  if (!Array.isArray(v)) return [];
  const turns: AiTurn[] = [];
  for (const t of v as unknown[]) if (isRecord(t) && isRole(t.role) && typeof t.content === "string") turns.push({ role: t.role, content: t.content });
  return turns;
}

export function readSlots(v: unknown): AiSlots {
  const slots: AiSlots = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === "string") slots[k] = val;
  return slots;
}

export const keepLastTurns = (turns: AiTurn[]) => turns.slice(-AI_CONTEXT_MAX_TURNS);

export const EMPTY_AI_CONTEXT: AiContext = { sessionId: null, context: [], currentIntent: null, slots: {}, escalated: false, escalationReason: null, escalatedAt: null };

export const sessionDto = (row: AiSessionRow): AiContext => ({
  sessionId: row.id,
  context: readTurns(row.context),
  currentIntent: row.currentIntent,
  slots: readSlots(row.slots),
  escalated: row.escalated,
  escalationReason: row.escalationReason,
  escalatedAt: row.escalatedAt ? row.escalatedAt.toISOString() : null,
});

/** 404 unless the conversation exists and is the caller's (the db is scoped). */
export async function assertConversation(db: ScopedDb, conversationId: string): Promise<void> {
  if (!isUuid(conversationId)) throw notFound("Conversation", conversationId);
  const conversation = await db.conversation.findFirst({ where: { id: conversationId }, select: { id: true } });
  if (!conversation) throw notFound("Conversation", conversationId);
}

/**
 * What a bot turn starts from, in one round trip: 404 unless the conversation exists and is the
 * caller's, the merchant's AI settings (null: never saved) and the conversation's session (null:
 * none yet).
 */
export async function readTurnStart(db: ScopedDb, opts: { merchantId: string; conversationId: string }): Promise<{ settings: AiSettingsRow | null; session: AiSessionRow | null }> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  const [row] = await db.$queryRaw<Array<AiSettingsRow & Omit<AiSessionRow, "id"> & { hasSettings: boolean; sessionId: string | null }>>`
    SELECT s.merchant_id IS NOT NULL AS "hasSettings", s.enabled, s.model, s.temperature, s.max_tokens AS "maxTokens",
           s.auto_escalation_threshold AS "autoEscalationThreshold", s.system_prompt AS "systemPrompt", s.reply_mode AS "replyMode",
           s.order_lookup_url AS "orderLookupUrl", s.updated_at AS "updatedAt",
           x.id::text AS "sessionId", x.context, x.current_intent AS "currentIntent", x.slots, x.escalated, x.escalated_at AS "escalatedAt",
           x.escalation_reason AS "escalationReason", x.last_message_id::text AS "lastMessageId", x.last_answer AS "lastAnswer"
    FROM conversations c
    LEFT JOIN ai_settings s ON s.merchant_id = c.merchant_id
    LEFT JOIN ai_sessions x ON x.conversation_id = c.id AND x.merchant_id = c.merchant_id
    WHERE c.id = ${opts.conversationId}::uuid AND c.merchant_id = ${opts.merchantId}`;
  if (!row) throw notFound("Conversation", opts.conversationId);
  const { hasSettings, sessionId, context, currentIntent, slots, escalated, escalatedAt, escalationReason, lastMessageId, lastAnswer, ...settings } = row;
  return {
    settings: hasSettings ? settings : null,
    session: sessionId === null ? null : { id: sessionId, context, currentIntent, slots, escalated, escalatedAt, escalationReason, lastMessageId, lastAnswer },
  };
}

/** The conversation's session, or null when it has none yet. */
export const findSession = (db: ScopedDb, conversationId: string): Promise<AiSessionRow | null> => db.aiSession.findFirst({ where: { conversationId } });

/**
 * The conversation's session, created empty when it has none (one per conversation, race-free).
 * Read first: the scoped upsert (its where carries the merchant too) is not a native
 * INSERT … ON CONFLICT but a transaction of four round trips, for a row that nearly always exists.
 */
export async function ensureSession(db: ScopedDb, opts: { merchantId: string; conversationId: string }, found?: AiSessionRow | null): Promise<AiSessionRow> {
  const existing = found === undefined ? await findSession(db, opts.conversationId) : found;
  return existing ?? db.aiSession.upsert({ where: { conversationId: opts.conversationId }, create: { merchantId: opts.merchantId, conversationId: opts.conversationId }, update: {} });
}
