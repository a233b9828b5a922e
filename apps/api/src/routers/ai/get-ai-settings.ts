import { AiSettings } from "@mkt-x/core";
import { getAiSettings } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getAiSettingsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/settings", tags: ["ai"], summary: "Get the AI chatbot settings", description: "The merchant's settings, or the defaults (updatedAt null) when never saved.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden" } } })
  .output(AiSettings)
  .query(({ ctx }) => getAiSettings(ctx.db));
