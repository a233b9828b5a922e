// GET /accounts/oauth/callback: where X sends the person back after its authorize page. Public
// (X's redirect carries no bearer): the pending request found by oauth_token names the merchant.
// It always answers with a redirect carrying the outcome, never an error page.
import type { FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { PathsObject } from "openapi3-ts/oas31";
import { AppError, X_CONNECT_ERRORS } from "@mkt-x/core";
import { completeXConnect } from "@mkt-x/core/server";
import type { AppServices } from "../trpc/context.ts";

export const X_CONNECT_CALLBACK_PATH = "/accounts/oauth/callback";
/** callbacks answered per client address per minute: a person connects a handful of accounts */
export const X_CONNECT_CALLBACKS_PER_MINUTE = 30;

/** One value of a query parameter; a repeated or missing one is undefined. */
const single = (query: unknown, key: string): string | undefined => {
  const value: unknown = typeof query === "object" && query !== null ? Reflect.get(query, key) : undefined;
  return typeof value === "string" ? value : undefined;
};

export async function xConnectCallbackRoutes(app: FastifyInstance, services: AppServices, opts: { perMinute?: number } = {}): Promise<void> {
  // public and guessable by path: a bounded number of tries per address
  await app.register(rateLimit, {
    max: opts.perMinute ?? X_CONNECT_CALLBACKS_PER_MINUTE,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => new AppError("RATE_LIMIT_EXCEEDED", `Too many connect callbacks: ${ctx.max} per minute; retry in ${ctx.after}`),
  });
  app.get(X_CONNECT_CALLBACK_PATH, async (request, reply) => {
    const settings = services.xConnect;
    if (!settings) throw new AppError("SERVICE_UNAVAILABLE", "Connect with X is not configured on this server");
    const outcome = await completeXConnect(
      { db: services.db, x: services.x, cipher: services.cipher, settings, webhookUrl: services.webhookUrl, queue: services.queue, log: request.log },
      { oauthToken: single(request.query, "oauth_token"), oauthVerifier: single(request.query, "oauth_verifier"), denied: single(request.query, "denied") },
    );
    request.log.info(outcome.connected ? { accountId: outcome.accountId } : { error: outcome.error }, "connect with X: callback");
    // the URL that brought the person here holds the verifier: keep it out of caches and Referer headers
    return reply.code(302).header("location", outcome.location).header("cache-control", "no-store").header("referrer-policy", "no-referrer").send();
  });
}

/** The callback in the OpenAPI document (it is a plain fastify route, not a tRPC procedure). */
export function xConnectCallbackPaths(): PathsObject {
  const param = (name: string, description: string) => ({ name, in: "query" as const, required: false, schema: { type: "string" as const }, description });
  return {
    [X_CONNECT_CALLBACK_PATH]: {
      get: {
        operationId: "accounts-oauthCallback",
        tags: ["accounts"],
        summary: "Connect with X: where X sends the person back (public)",
        description:
          "Registered with X as the app's callback (`PUBLIC_BASE_URL` + this path). Exchanges the verifier for the person's access token and connects the account as POST /accounts does (same checks). Always redirects (302) to the `returnTo` given to POST /accounts/oauth/start, or the admin app's Accounts page when the request token is unknown, with `connected=<accountId>&username=<handle>` on success or `error=<code>&message=<text>`. A request token works once and for 10 minutes.",
        security: [],
        parameters: [
          param("oauth_token", "the request token, after Authorize"),
          param("oauth_verifier", "the verifier, after Authorize"),
          param("denied", "the request token, after Cancel"),
        ],
        responses: {
          "302": {
            description: `Back to returnTo with the outcome: \`connected\` and \`username\`, or \`error\` (one of ${X_CONNECT_ERRORS.map((e) => `\`${e}\``).join(", ")}) and \`message\``,
            headers: { Location: { description: "returnTo with the outcome in its query", schema: { type: "string" } } },
          },
        },
      },
    },
  };
}
