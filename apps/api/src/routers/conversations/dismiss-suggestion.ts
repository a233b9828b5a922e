import { z } from "zod";
import { DismissSuggestionInput } from "@mkt-x/core";
import { dismissSuggestion } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const dismissSuggestionProcedure = inboxProcedure
  .meta({ openapi: { method: "DELETE", path: "/conversations/{conversationId}/suggestions/{suggestionId}", tags: ["conversations"], summary: "Dismiss a suggested reply", description: "The bot's suggestion (AI reply mode draft) is dropped from the conversation's pending `suggestions` without being sent. Unknown: 404; already sent or dismissed: 400.", protect: true, errorResponses: { 400: "Suggestion already used or dismissed", 401: "Unauthorized", 403: "Forbidden", 404: "Suggestion not found" } } })
  .input(DismissSuggestionInput)
  .output(z.null())
  .mutation(({ ctx, input }) => dismissSuggestion(ctx.db, { merchantId: ctx.merchantId, conversationId: input.conversationId, suggestionId: input.suggestionId }));
