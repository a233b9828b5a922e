import { z } from "zod";
import { EntityId, JsonBoolean, Uuid } from "./common.ts";
import { AiReplyMode, AiSource } from "./ai-knowledge.ts";

/** The intents the embedded NLU recognises; the OpenAI provider is asked to answer with one of them. */
export const AI_INTENTS = [
  "order_status_query",
  "greeting",
  // questions about the catalog (answered from the merchant's products)
  "product_availability",
  "product_size",
  "product_color",
  "product_material",
  "pricing_query",
  "promotion_query",
  "shipping_query",
  "return_refund",
  "complaint",
  "human_request",
  "opt_out",
  "thanks",
  "unknown",
] as const;
export type AiIntent = (typeof AI_INTENTS)[number];
export const isAiIntent = (v: string): v is AiIntent => (AI_INTENTS as readonly string[]).includes(v);

export const AI_ROLES = ["user", "assistant"] as const;
export type AiRole = (typeof AI_ROLES)[number];

/** Turns kept in a session's context (user and assistant messages alike); older ones are dropped. */
export const AI_CONTEXT_MAX_TURNS = 50;
// as long as a DM can be: the bot reads whatever a customer may write
export const AI_MESSAGE_MAX_LENGTH = 10_000;
export const AI_SYSTEM_PROMPT_MAX_LENGTH = 4000;

export const AiSlots = z.record(z.string(), z.string());
export type AiSlots = z.infer<typeof AiSlots>;

export const AiTurn = z.object({ role: z.enum(AI_ROLES), content: z.string() });
export type AiTurn = z.infer<typeof AiTurn>;

export const AiConversationIdInput = z.object({ conversationId: EntityId }).strict();

export const AiMessageInput = z
  .object({
    conversationId: EntityId,
    message: z.string().trim().min(1).max(AI_MESSAGE_MAX_LENGTH),
  })
  .strict();
export type AiMessageInput = z.infer<typeof AiMessageInput>;

export const AiMessageResult = z.object({
  intent: z.string(),
  confidence: z.number().min(0).max(1),
  response: z.string(),
  slots: AiSlots,
  requiresEscalation: z.boolean(),
  sources: z.array(AiSource).meta({ description: "the FAQ entries, products and order lookups the response used; empty when it used none" }),
});
export type AiMessageResult = z.infer<typeof AiMessageResult>;

/** The session of a conversation. `sessionId` is null while the conversation has none yet (GET does not create one). */
export const AiContext = z.object({
  sessionId: Uuid.nullable(),
  context: z.array(AiTurn),
  currentIntent: z.string().nullable(),
  slots: AiSlots,
  escalated: z.boolean(),
  escalationReason: z.string().nullable(),
  escalatedAt: z.iso.datetime().nullable(),
});
export type AiContext = z.infer<typeof AiContext>;

export const AiEscalateInput = z
  .object({
    conversationId: EntityId,
    reason: z.string().trim().min(1).max(200).optional().meta({ description: "1 to 200 characters; left out, the escalation has no reason (null)" }),
  })
  .strict();
export type AiEscalateInput = z.infer<typeof AiEscalateInput>;

export const AiSettings = z.object({
  enabled: z.boolean(),
  model: z.string(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  autoEscalationThreshold: z.number(),
  systemPrompt: z.string().nullable(),
  replyMode: AiReplyMode.meta({ description: "auto: the bot's answers are sent; draft: they are suggested to agents on the conversation; off: neither" }),
  orderLookupUrl: z.string().nullable().meta({ description: "the shop's order endpoint the bot asks about an order id" }),
  orderLookupSecret: z.string().optional().meta({ description: "the signing secret of order lookups: in the answer of the PUT that set a new orderLookupUrl only" }),
  /** null while the merchant has never saved settings (the defaults are shown) */
  updatedAt: z.iso.datetime().nullable(),
});
export type AiSettings = z.infer<typeof AiSettings>;

/** PUT /ai/settings: every field is optional; a missing one keeps its current (or default) value. */
export const UpdateAiSettingsInput = z
  .object({
    enabled: JsonBoolean.optional(),
    model: z.string().trim().min(1).max(100).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(4000).optional(),
    autoEscalationThreshold: z.number().min(0).max(1).optional(),
    systemPrompt: z.string().trim().max(AI_SYSTEM_PROMPT_MAX_LENGTH).nullable().optional(),
    replyMode: AiReplyMode.optional(),
    orderLookupUrl: z.string().trim().max(2048).nullable().optional().meta({ description: "https URL of the shop's order endpoint (public addresses only); null or empty removes it" }),
  })
  .strict();
export type UpdateAiSettingsInput = z.infer<typeof UpdateAiSettingsInput>;
