import { AppError, StartXConnectInput, StartXConnectResult } from "@mkt-x/core";
import { startXConnect } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const startXConnectProcedure = adminProcedure
  .meta({
    openapi: {
      method: "POST",
      path: "/accounts/oauth/start",
      tags: ["accounts"],
      summary: "Start connecting an X account with X's sign-in (3-legged OAuth 1.0a)",
      description:
        "Asks X for a request token and answers the URL of X's authorize page: send the person's browser there. X then sends them to GET /accounts/oauth/callback, which connects the account as POST /accounts does and redirects to `returnTo` (default: the admin app's Accounts page) with `connected=<accountId>&username=<handle>` or `error=<code>&message=<text>` (`denied`, `expired`, `invalid_request`, `duplicate`, `twitter_api_error`, `internal_error`). The attempt is bound to the caller's merchant and user, single use, and expires after 10 minutes. `returnTo` is a path on the admin app or an absolute URL on the admin's or the API's origin.",
      protect: true,
      errorResponses: { 400: "returnTo is not on the admin app", 401: "Unauthorized", 403: "Forbidden", 502: "X did not hand out a request token (or the X app is not configured)", 503: "Connect with X is not configured" },
    },
  })
  .input(StartXConnectInput)
  .output(StartXConnectResult)
  .mutation(({ ctx, input }) => {
    const settings = ctx.services.xConnect;
    if (!settings) throw new AppError("SERVICE_UNAVAILABLE", "Connect with X is not configured on this server");
    return startXConnect({ db: ctx.db, x: ctx.services.x, cipher: ctx.services.cipher, settings }, { merchantId: ctx.merchantId, userId: ctx.userId, returnTo: input.returnTo });
  });
