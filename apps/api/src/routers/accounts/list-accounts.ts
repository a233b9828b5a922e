import { Account, ListAccountsInput, paginated } from "@mkt-x/core";
import { listAccounts } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listAccountsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/accounts", tags: ["accounts"], summary: "List connected accounts", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListAccountsInput)
  .output(paginated(Account))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listAccounts(ctx.db, input);
  });
