// The AI port: what the chatbot needs from a language model. Two implementations live in
// server/services/ai: the embedded offline NLU (default) and an OpenAI-compatible client.
import type { AiSlots, AiTurn } from "../contract/ai.ts";

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
}

export interface AiUnderstanding {
  intent: string;
  /** 0..1 */
  confidence: number;
  response: string;
  /** slots found in this message (merged over the known ones by the caller) */
  slots: AiSlots;
}

export interface AiProvider {
  readonly name: string;
  /** Throws AppError("AI_SERVICE_ERROR") when the provider fails; never leaks credentials. */
  understand(input: AiUnderstandInput): Promise<AiUnderstanding>;
}
