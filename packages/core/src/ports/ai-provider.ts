// The AI port: what the chatbot needs from a language model. Two implementations live in
// server/services/ai: the embedded offline NLU (default) and an OpenAI-compatible client.
import type { AiSlots, AiTurn } from "../contract/ai.ts";
import type { AiSource, ProductVariant } from "../contract/ai-knowledge.ts";

/** A knowledge entry found for the message, with its search score (higher is closer). */
export interface KnownFaq {
  id: string;
  question: string;
  answer: string;
  score: number;
}
export interface KnownProduct {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
  variants: ProductVariant[];
  stock: number | null;
  url: string | null;
  score: number;
}
/** What the shop's order endpoint said about an order, or why it could not say. */
export type OrderLookup =
  | { ok: true; orderId: string; status: string; shippedAt: string | null; expectedAt: string | null; trackingUrl: string | null }
  | { ok: false; orderId: string; reason: "not_configured" | "failed" | "not_found" };

/** The merchant's facts relevant to the message, looked up before the provider answers. */
export interface AiKnowledge {
  faqs: KnownFaq[];
  products: KnownProduct[];
  order?: OrderLookup;
}

/** The merchant's model settings a provider may use (the embedded NLU ignores them). */
export interface AiModelSettings {
  model: string;
  temperature: number;
  maxTokens: number;
  systemPrompt: string | null;
}

export interface AiUnderstandInput {
  /** the conversation so far, oldest first; the last one is the user's new message */
  messages: AiTurn[];
  settings: AiModelSettings;
  /** slots gathered earlier in the session */
  knownSlots: AiSlots;
  /** the merchant's facts found for the message; the answer must come from these, never invented */
  knowledge?: AiKnowledge;
}

export interface AiUnderstanding {
  intent: string;
  /** 0..1 */
  confidence: number;
  response: string;
  /** slots found in this message (merged over the known ones by the caller) */
  slots: AiSlots;
  /** the knowledge the response used */
  sources?: AiSource[];
  /** the provider could not answer from the facts and says a person will: escalate */
  handover?: boolean;
}

export interface AiProvider {
  readonly name: string;
  /** Throws AppError("AI_SERVICE_ERROR") when the provider fails; never leaks credentials. */
  understand(input: AiUnderstandInput): Promise<AiUnderstanding>;
}
