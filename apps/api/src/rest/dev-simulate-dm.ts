// POST /dev/simulate-dm: development only (registered when X_SANDBOX=1, i.e. `pnpm dev` with the X
// sandbox; 404 otherwise). An owner or admin asks the sandbox to deliver a DM from a customer to one
// of the merchant's accounts, as if a person had written on X: the sandbox posts it to the API's
// webhook, and from there it is an inbound DM like any other (inbox, flows, AI, live events).
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError, can } from "@mkt-x/core";
import type { AppServices } from "../trpc/context.ts";

export const SIMULATE_DM_PATH = "/dev/simulate-dm";

export const SimulateDmBody = z
  .object({
    accountId: z.uuid(),
    /** the customer's X username; the sandbox creates them on first use (default sandbox_customer) */
    fromUsername: z
      .string()
      .trim()
      .regex(/^@?\w{1,50}$/, { message: "an X username: 1 to 50 letters, digits or _" })
      .optional(),
    text: z.string().min(1).max(10_000),
  })
  .strict();

export interface SimulateDmResult {
  eventId: string;
  delivered: boolean;
  /** the webhook's answer to the sandbox, null when nothing answered */
  status: number | null;
  fromUserId: string;
  toUserId: string;
  error?: string;
}

export async function devSimulateDmRoutes(app: FastifyInstance, opts: { services: AppServices; sandboxUrl: string }): Promise<void> {
  app.post(SIMULATE_DM_PATH, async (request) => {
    const auth = request.auth;
    if (!auth) throw new AppError("UNAUTHORIZED", request.authError ?? "Missing bearer token");
    if (!can(auth.role, "admin")) throw new AppError("FORBIDDEN", "Simulating a customer DM needs the owner or admin role");
    const parsed = SimulateDmBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new AppError(
        "VALIDATION_ERROR",
        "Request validation failed",
        parsed.error.issues.map((i) => ({ field: i.path.join(".") || "body", reason: i.message })),
      );
    }
    const { accountId, fromUsername, text } = parsed.data;
    const account = await opts.services.db.xAccount.findFirst({ where: { id: accountId, merchantId: auth.merchantId }, select: { twitterUserId: true, status: true } });
    if (!account) throw new AppError("RESOURCE_NOT_FOUND", "Account not found");
    if (account.status !== "active") throw new AppError("CONFLICT", `The account is ${account.status}: connect it again first`);

    let res: Response;
    try {
      res = await fetch(`${opts.sandboxUrl}/_sandbox/customer-dm`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: account.twitterUserId, ...(fromUsername ? { from: fromUsername.replace(/^@/, "") } : {}), text }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new AppError("SERVICE_UNAVAILABLE", `The X sandbox at ${opts.sandboxUrl} did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const body = (await res.json().catch(() => null)) as (SimulateDmResult & { message?: string }) | null;
    if (!res.ok || !body) {
      const reason = body?.message ?? `status ${res.status}`;
      // the account's X user is unknown to this sandbox (its state was reset): reconnecting fixes it
      if (res.status === 404) throw new AppError("UNPROCESSABLE_ENTITY", `The X sandbox does not know this account's user: ${reason}`);
      throw new AppError("TWITTER_API_ERROR", `The X sandbox refused the DM: ${reason}`);
    }
    const result: SimulateDmResult = { eventId: body.eventId, delivered: body.delivered, status: body.status, fromUserId: body.fromUserId, toUserId: body.toUserId, ...(body.error ? { error: body.error } : {}) };
    return { success: true, data: result };
  });
}
