import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { AI_ROLES, AI_CONTEXT_MAX_TURNS, type AiContext, type AiSlots, type AiTurn } from "../../../contract/ai.ts";
import type { ScopedDb } from "../../scoped-db.ts";

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
