// Replies the bot suggests to agents (reply mode draft): stored on the conversation instead of sent
// (X asks for a person's approval before automated replies), announced live, then sent by an agent
// as they are or edited (POST /conversations/{id}/messages with suggestionId), or dismissed.
import type { Db, Tx } from "@mkt-x/db";
import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { AiSource, type AiSuggestion } from "../../../contract/ai-knowledge.ts";
import type { AiMessageResult } from "../../../contract/ai.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { recordEvents } from "../../events/record-event.ts";

export const SUGGESTION_CREATED_EVENT = "suggestion.created" as const;

interface SuggestionRow {
  id: string;
  conversationId: string;
  sourceMessageId: string;
  content: string;
  intent: string;
  confidence: number;
  sources: unknown;
  createdAt: Date;
}

const readSources = (v: unknown): AiSource[] => (Array.isArray(v) ? v.flatMap((s) => { const p = AiSource.safeParse(s); return p.success ? [p.data] : []; }) : []);

export const toSuggestionDto = (r: SuggestionRow): AiSuggestion => ({
  id: r.id,
  content: r.content,
  intent: r.intent,
  confidence: r.confidence,
  sources: readSources(r.sources),
  sourceMessageId: r.sourceMessageId,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Stores the bot's answer to an inbound message as a pending suggestion and raises
 * `suggestion.created` in the same transaction. Once per inbound message: a redelivered event
 * finds it there and adds nothing.
 */
export async function suggestReply(db: Db, opts: { merchantId: string; conversationId: string; sourceMessageId: string; answer: AiMessageResult }): Promise<"suggested" | "already_suggested"> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO ai_suggestions (merchant_id, conversation_id, source_message_id, content, intent, confidence, sources)
      VALUES (${opts.merchantId}, ${opts.conversationId}::uuid, ${opts.sourceMessageId}::uuid, ${opts.answer.response}, ${opts.answer.intent}, ${opts.answer.confidence}, ${JSON.stringify(opts.answer.sources)}::jsonb)
      ON CONFLICT (merchant_id, source_message_id) DO NOTHING
      RETURNING id::text`;
    const id = rows[0]?.id;
    if (!id) return "already_suggested";
    const row = await tx.aiSuggestion.findFirstOrThrow({ where: { id } });
    await recordEvents(tx, [{ merchantId: opts.merchantId, type: SUGGESTION_CREATED_EVENT, data: { conversationId: opts.conversationId, ...toSuggestionDto(row) } }]);
    return "suggested";
  });
}

/** The conversation's pending suggestions, oldest first. */
export async function pendingSuggestions(db: ScopedDb, conversationId: string): Promise<AiSuggestion[]> {
  const rows = await db.aiSuggestion.findMany({ where: { conversationId, status: "pending" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toSuggestionDto);
}

/** A suggestion of this conversation that is still pending: 404 unknown, 400 used or dismissed. */
export async function pendingSuggestion(db: Pick<Tx, "aiSuggestion"> | ScopedDb, opts: { merchantId: string; conversationId: string; suggestionId: string }): Promise<SuggestionRow> {
  // (the scoped client adds its merchant too: the rows are the same)
  const client = db as Pick<Tx, "aiSuggestion">;
  const row = isUuid(opts.suggestionId) ? await client.aiSuggestion.findFirst({ where: { id: opts.suggestionId, merchantId: opts.merchantId, conversationId: opts.conversationId } }) : null;
  if (!row) throw notFound("Suggestion", opts.suggestionId);
  if (row.status !== "pending") throw new AppError("VALIDATION_ERROR", `The suggestion was already ${row.status}`, { field: "suggestionId", reason: `already ${row.status}` });
  return row;
}

/** Marks a pending suggestion used by the message an agent sent (in the send's transaction). */
export async function useSuggestion(tx: Pick<Tx, "aiSuggestion">, opts: { merchantId: string; suggestionId: string; messageId: string }): Promise<void> {
  const { count } = await tx.aiSuggestion.updateMany({ where: { id: opts.suggestionId, merchantId: opts.merchantId, status: "pending" }, data: { status: "used", messageId: opts.messageId } });
  if (count === 0) throw new AppError("VALIDATION_ERROR", "The suggestion was already used or dismissed", { field: "suggestionId", reason: "no longer pending" });
}

export async function dismissSuggestion(db: ScopedDb, opts: { merchantId: string; conversationId: string; suggestionId: string }): Promise<null> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  await pendingSuggestion(db, opts);
  const { count } = await db.aiSuggestion.updateMany({ where: { id: opts.suggestionId, status: "pending" }, data: { status: "dismissed" } });
  if (count === 0) throw new AppError("VALIDATION_ERROR", "The suggestion was already used or dismissed", { field: "suggestionId", reason: "no longer pending" });
  return null;
}
