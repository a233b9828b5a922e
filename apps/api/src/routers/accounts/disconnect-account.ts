import { z } from "zod";
import { AccountIdInput } from "@mkt-x/core";
import { disconnectAccount } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { accountDeps } from "./deps.ts";

export const disconnectAccountProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/accounts/{accountId}", tags: ["accounts"], summary: "Disconnect an account", description: "Revokes the tokens at X (best effort), wipes them and marks the account inactive; its data stays.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Account not found" } } })
  .input(AccountIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => disconnectAccount(accountDeps(ctx), { accountId: input.accountId }));
