import { Account, ConnectAccountInput } from "@mkt-x/core";
import { connectAccount } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { accountDeps } from "./deps.ts";

export const connectAccountProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/accounts", tags: ["accounts"], summary: "Connect an X account", description: "Verifies the OAuth 1.0a credentials with X (GET /2/users/me) and stores the account; tokens are encrypted and never returned.", protect: true, errorResponses: { 400: "Invalid OAuth credentials", 401: "Unauthorized", 403: "Forbidden", 409: "Account already connected" } } })
  .input(ConnectAccountInput)
  .output(Account)
  .mutation(({ ctx, input }) => connectAccount(accountDeps(ctx), input));
