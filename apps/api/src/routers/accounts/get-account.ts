import { AccountDetails, AccountIdInput } from "@mkt-x/core";
import { getAccount } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getAccountProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/accounts/{accountId}", tags: ["accounts"], summary: "Get account details with statistics", protect: true, errorResponses: { 401: "Unauthorized", 404: "Account not found" } } })
  .input(AccountIdInput)
  .output(AccountDetails)
  .query(({ ctx, input }) => getAccount(ctx.db, { accountId: input.accountId }));
