import { AiSettings, UpdateAiSettingsInput } from "@mkt-x/core";
import { DEFAULT_AI_MODELS, updateAiSettings } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateAiSettingsProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/ai/settings", tags: ["ai"], summary: "Update the AI chatbot settings", description: "Any of enabled, model, temperature (0 to 2), maxTokens (1 to 4000), autoEscalationThreshold (0 to 1), systemPrompt (up to 4000 characters, null or empty to clear); the others keep their value. `enabled` gates automatic AI replies. `replyMode`: `auto` sends the bot's answers, `draft` stores them as suggestions agents send or dismiss (X's rule on automated replies), `off` neither. `model`: one of the models the operator offers (AI_MODELS; by default OpenAI's current chat models such as gpt-4o-mini, gpt-4o, gpt-4, gpt-4.1), else 400. `orderLookupUrl`: https, public addresses only (the outgoing webhooks' rule); a new one answers its signing secret once as `orderLookupSecret` (requests are signed like outgoing webhooks); null or empty removes it.", protect: true, errorResponses: { 400: "Invalid settings", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(UpdateAiSettingsInput)
  .output(AiSettings)
  .mutation(({ ctx, input }) => updateAiSettings(ctx.db, { merchantId: ctx.merchantId, changes: input, orderLookup: { cipher: ctx.services.cipher, policy: ctx.services.webhookTargets }, models: ctx.services.aiModels ?? DEFAULT_AI_MODELS }));
