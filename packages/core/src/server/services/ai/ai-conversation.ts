import { AI_CONTEXT_MAX_TURNS, AiMessageResult, type AiContext, type AiTurn } from "../../../contract/ai.ts";
import type { AiProvider } from "../../../ports/ai-provider.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { DEFAULT_AI_SETTINGS, modelSettings, toDto } from "./ai-settings.ts";
import { emitConversationEvents } from "../../events/emit-events.ts";
import { retrieveKnowledge } from "./retrieve-knowledge.ts";
import { lookupOrder, type OrderLookupRuntime } from "./order-lookup.ts";
import { understandOffline } from "./embedded-nlu.ts";
import type { AiKnowledge } from "../../../ports/ai-provider.ts";
import { notFound } from "../../../errors.ts";
import { type AiSessionRow, assertConversation, ensureSession, EMPTY_AI_CONTEXT, keepLastTurns, readSlots, readTurnStart, readTurns, sessionDto } from "./ai-session.ts";

/** Why a session was escalated automatically. */
export const LOW_CONFIDENCE_REASON = "low_confidence";
export const HUMAN_REQUEST_REASON = "human_request";
/** the bot could not answer from the merchant's facts (an order the shop could not be asked about) */
export const HANDOVER_REASON = "needs_human_answer";

/**
 * When the message asks about an order whose id is known, what the shop's order endpoint says
 * (or that it could not be asked), added to the catalog and FAQ matches.
 */
async function withOrder(db: ScopedDb, knowledge: AiKnowledge, opts: { merchantId: string; message: string; knownSlots: Record<string, string>; orderLookup?: OrderLookupRuntime | undefined }): Promise<AiKnowledge> {
  // the order question is recognised the same way whichever provider answers
  const pre = understandOffline({ messages: [{ role: "user", content: opts.message }], knownSlots: opts.knownSlots });
  const orderId = pre.slots.orderId ?? opts.knownSlots.orderId;
  if (pre.intent === "order_status_query" && orderId) knowledge.order = await lookupOrder(db, { merchantId: opts.merchantId, orderId, runtime: opts.orderLookup });
  return knowledge;
}

/**
 * One customer message through the AI: the provider sees the session's context and known slots;
 * the message and the answer are appended (the last 50 turns are kept) and the slots merged.
 * Escalation is required when confidence is below the merchant's threshold, when the customer asks
 * for a human, or when the session already was escalated; the session is then marked escalated.
 * Answered whether or not AI is `enabled`: that flag gates automatic replies only.
 */
export async function sendAiMessage(
  db: ScopedDb,
  ai: AiProvider,
  opts: {
    merchantId: string;
    conversationId: string;
    message: string;
    /** the inbound DM answered (automatic replies): once answered, the same id gets the same answer, recorded once */
    sourceMessageId?: string;
    /** how to ask the shop about orders (the secret's cipher, the address policy); absent: never asked */
    orderLookup?: OrderLookupRuntime | undefined;
  },
): Promise<AiMessageResult> {
  // reads only, side by side (the catalog and FAQ matches depend on the message alone); the session
  // is created once the conversation is known to be the caller's
  const [start, matches] = await Promise.all([readTurnStart(db, opts), retrieveKnowledge(db, { merchantId: opts.merchantId, message: opts.message })]);
  const settings = start.settings ? toDto(start.settings) : DEFAULT_AI_SETTINGS;
  const session = await ensureSession(db, opts, start.session);
  const answered = (row: { lastMessageId: string | null; lastAnswer: unknown }) =>
    opts.sourceMessageId !== undefined && row.lastMessageId === opts.sourceMessageId ? AiMessageResult.safeParse(row.lastAnswer) : null;
  const earlier = answered(session);
  if (earlier?.success) return earlier.data;
  const userTurn: AiTurn = { role: "user", content: opts.message };
  const knownSlots = readSlots(session.slots);
  const knowledge = await withOrder(db, matches, { merchantId: opts.merchantId, message: opts.message, knownSlots, orderLookup: opts.orderLookup });
  const understanding = await ai.understand({ messages: [...readTurns(session.context), userTurn], settings: modelSettings(settings), knownSlots, knowledge });
  // whatever the provider says, an order the shop could not be asked about is a person's to answer
  const handover = understanding.handover === true || (understanding.intent === "order_status_query" && knowledge.order?.ok === false);

  const lowConfidence = understanding.confidence < settings.autoEscalationThreshold;
  const humanRequest = understanding.intent === "human_request";
  const assistantTurn: AiTurn = { role: "assistant", content: understanding.response };
  const answer = { intent: understanding.intent, confidence: understanding.confidence, response: understanding.response, slots: understanding.slots, sources: understanding.sources ?? [] };
  // Nothing to escalate now (the common turn): one UPDATE, atomic by itself, appends to the row as
  // it is when written (so concurrent messages all land) and keeps the last turns. No row: the
  // same DM was answered meanwhile, and the transaction below returns that answer.
  if (!lowConfidence && !humanRequest && !handover) {
    const source = opts.sourceMessageId ?? null;
    const [appended] = await db.$queryRaw<Array<{ escalated: boolean }>>`
      UPDATE ai_sessions x SET
        context = (SELECT coalesce(jsonb_agg(t.e ORDER BY t.n), '[]'::jsonb)
                   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(x.context) = 'array' THEN x.context ELSE '[]'::jsonb END || ${JSON.stringify([userTurn, assistantTurn])}::jsonb) WITH ORDINALITY AS t(e, n)
                   WHERE t.n > (CASE WHEN jsonb_typeof(x.context) = 'array' THEN jsonb_array_length(x.context) ELSE 0 END) + 2 - ${AI_CONTEXT_MAX_TURNS}),
        slots = (CASE WHEN jsonb_typeof(x.slots) = 'object' THEN x.slots ELSE '{}'::jsonb END) || ${JSON.stringify(understanding.slots)}::jsonb,
        current_intent = ${understanding.intent},
        last_message_id = coalesce(${source}::uuid, x.last_message_id),
        last_answer = CASE WHEN ${source}::uuid IS NULL THEN x.last_answer ELSE ${JSON.stringify(answer)}::jsonb || jsonb_build_object('requiresEscalation', x.escalated) END,
        updated_at = now()
      WHERE x.id = ${session.id}::uuid AND x.merchant_id = ${opts.merchantId} AND (${source}::uuid IS NULL OR x.last_message_id IS DISTINCT FROM ${source}::uuid)
      RETURNING x.escalated`;
    if (appended) return { ...answer, requiresEscalation: appended.escalated };
  }
  // the provider call is outside the transaction; the append re-reads the locked row so concurrent messages all land
  return db.$transaction(async (tx) => {
    // locked and read in one round trip
    const [current] = await tx.$queryRaw<Array<Pick<AiSessionRow, "context" | "slots" | "escalated" | "lastMessageId" | "lastAnswer">>>`
      SELECT context, slots, escalated, last_message_id AS "lastMessageId", last_answer AS "lastAnswer"
      FROM ai_sessions WHERE id = ${session.id}::uuid AND merchant_id = ${opts.merchantId} FOR UPDATE`;
    if (!current) throw notFound("Conversation", opts.conversationId);
    // the same DM answered meanwhile by another attempt: its answer stands, nothing is appended twice
    const meanwhile = answered(current);
    if (meanwhile?.success) return meanwhile.data;
    const escalateNow = !current.escalated && (lowConfidence || humanRequest || handover);
    const result: AiMessageResult = { ...answer, requiresEscalation: current.escalated || escalateNow };
    // updateMany: nothing read back (the row's context is the largest thing the turn moves)
    await tx.aiSession.updateMany({
      where: { id: session.id },
      data: {
        context: keepLastTurns([...readTurns(current.context), userTurn, assistantTurn]),
        slots: { ...readSlots(current.slots), ...understanding.slots },
        currentIntent: understanding.intent,
        ...(escalateNow && { escalated: true, escalatedAt: new Date(), escalationReason: humanRequest ? HUMAN_REQUEST_REASON : handover ? HANDOVER_REASON : LOW_CONFIDENCE_REASON }),
        ...(opts.sourceMessageId !== undefined && { lastMessageId: opts.sourceMessageId, lastAnswer: result }),
      },
    });
    // the inbox hears that the conversation now waits for a human
    if (escalateNow) await emitConversationEvents(tx, "conversation.updated", [opts.conversationId]);
    return result;
  });
}

/** The session of a conversation; an empty context with sessionId null when there is none yet (nothing is created). */
export async function getAiContext(db: ScopedDb, opts: { conversationId: string }): Promise<AiContext> {
  await assertConversation(db, opts.conversationId);
  const row = await db.aiSession.findFirst({ where: { conversationId: opts.conversationId } });
  return row ? sessionDto(row) : EMPTY_AI_CONTEXT;
}

/**
 * Hands the conversation to a human: marks the session escalated with the reason (creating it if
 * needed). Assignment is untouched. A null reason replaces an earlier one, as a new reason would.
 */
export async function escalateAiConversation(db: ScopedDb, opts: { merchantId: string; conversationId: string; reason: string | null }): Promise<AiContext> {
  await assertConversation(db, opts.conversationId);
  const session = await ensureSession(db, opts);
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.aiSession.update({ where: { id: session.id }, data: { escalated: true, escalatedAt: new Date(), escalationReason: opts.reason } });
    await emitConversationEvents(tx, "conversation.updated", [opts.conversationId]);
    return updated;
  });
  return sessionDto(row);
}
