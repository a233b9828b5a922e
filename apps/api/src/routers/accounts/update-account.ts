import { Account, UpdateAccountInput } from "@mkt-x/core";
import { updateAccountSettings } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateAccountProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/accounts/{accountId}", tags: ["accounts"], summary: "Update account settings", description: "autoReplyEnabled, businessHours (IANA timezone, HH:MM day schedules), requireConsent (automated DMs only to contacts who wrote first).", protect: true, errorResponses: { 400: "Invalid settings", 401: "Unauthorized", 403: "Forbidden", 404: "Account not found" } } })
  .input(UpdateAccountInput)
  .output(Account)
  .mutation(({ ctx, input }) => {
    const { accountId, ...settings } = input;
    return updateAccountSettings(ctx.db, { accountId, settings });
  });
