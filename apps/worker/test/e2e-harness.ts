// End to end: the X sandbox delivers signed webhooks to the real API over HTTP, the real worker
// consumes the jobs and sends DMs back to the sandbox. One fresh database for all three.
import { SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { createTwitterXClient } from "@mkt-x/twitter";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { createEmbeddedAiProvider, createWebhookIngestor, type CampaignRunDeps, type SendPipelineDeps, type SendWindowLimits } from "@mkt-x/core/server";
import { buildApp } from "../../api/src/app.ts";
import { createTokenVerifier } from "../../api/src/auth/verify-token.ts";
import { createLiveEventBus, type LiveEventBus } from "../../api/src/events/live-event-bus.ts";
import { startWorkerHarness, CONSUMER_KEY, CONSUMER_SECRET, type WorkerHarness } from "./harness.ts";

export const JWT_SECRET = "e2e-secret-0123456789abcdef";

/** The environment of a real worker process (worker-process.ts) on this stack: its database, key and sandbox; send windows off. */
export function workerProcessEnv(env: WorkerHarness & { base: string }): Record<string, string> {
  return {
    DATABASE_URL: env.database.url,
    TOKEN_ENCRYPTION_KEY: env.encryptionKey.toString("base64"),
    X_API_BASE_URL: env.sandbox.url ?? "",
    X_CONSUMER_KEY: CONSUMER_KEY,
    X_CONSUMER_SECRET: CONSUMER_SECRET,
    DM_SEND_WINDOWS: "off",
    PUBLIC_BASE_URL: new URL(env.base).origin,
  };
}

export interface E2E extends WorkerHarness {
  api: FastifyInstance;
  base: string;
  merchantId: string;
  token: string;
  /** connects a new sandbox user as an X account of the merchant, through the API */
  connect(username?: string): Promise<{ user: SandboxUser; accountId: string }>;
  call<T = { success: boolean; data: unknown }>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/**
 * One API process on the harness's database, as main.ts composes it: its own fastify app and its
 * own live event bus (not listening yet). startE2E makes the first; tests may add more.
 */
export async function buildApiInstance(h: WorkerHarness, extra: { sendWindows?: SendWindowLimits | null } = {}): Promise<{ api: FastifyInstance; events: LiveEventBus; services: { webhookUrl: string } }> {
  // the API's live event bus: GET /events/stream shows what the worker commits
  const events = createLiveEventBus({ databaseUrl: h.database.url, sweepIntervalMs: 0 });
  await events.start();
  const services = {
    db: h.database.db,
    queue: h.queue,
    ingestor: createWebhookIngestor({ pool: h.database.pool, boss: h.boss }),
    x: createTwitterXClient({ baseUrl: h.sandbox.url ?? "", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET }),
    cipher: h.cipher,
    webhookUrl: "http://127.0.0.1:9/unused",
    ai: createEmbeddedAiProvider(),
    events,
    // outgoing webhooks to a receiver on this machine (WEBHOOK_ALLOW_PRIVATE_TARGETS=1)
    webhookTargets: { allowPrivate: true },
    ...(extra.sendWindows !== undefined ? { sendWindows: extra.sendWindows } : {}),
  };
  const api = await buildApp({
    services,
    verifyToken: createTokenVerifier({ secret: JWT_SECRET }),
    consumerSecret: CONSUMER_SECRET,
    rateLimitPerMinute: 100_000,
    readiness: async () => {},
  });
  return { api, events, services };
}

export async function startE2E(opts: { windows?: SendWindowLimits | null; campaigns?: Partial<CampaignRunDeps>; send?: Partial<SendPipelineDeps>; /** connecting registers the API's webhook with X and subscribes the account, as in production */ subscribe?: boolean; /** the API's send windows too (its check of X's post windows before a public reply is queued) */ apiWindows?: boolean } = {}): Promise<E2E> {
  const h = await startWorkerHarness({ windows: opts.windows ?? null, ...(opts.campaigns ? { campaigns: opts.campaigns } : {}), ...(opts.send ? { send: opts.send } : {}) });
  const { api, events, services } = await buildApiInstance(h, opts.apiWindows ? { sendWindows: opts.windows ?? null } : {});
  const url = await api.listen({ port: 0, host: "127.0.0.1" });
  if (opts.subscribe) services.webhookUrl = `${url}/api/v1/mkt-x/webhooks/twitter`;
  // short links in campaign DMs point at this API
  h.campaigns.publicBaseUrl = url;
  const base = `${url}/api/v1/mkt-x`;
  // X delivers every event to our webhook
  h.sandbox.configure({ webhookUrl: `${base}/webhooks/twitter` });
  const merchantId = randomUUID();
  const token = await new SignJWT({ merchantId, role: "owner" }).setProtectedHeader({ alg: "HS256" }).setSubject(randomUUID()).setExpirationTime("1h").sign(new TextEncoder().encode(JWT_SECRET));
  const call: E2E["call"] = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // the API's envelope, typed by the caller
    const json: unknown = await res.json();
    return { status: res.status, body: json as never };
  };
  const close = () => h.close();
  return {
    ...h,
    api,
    base,
    merchantId,
    token,
    call,
    async connect(username = `shop_${randomUUID().slice(0, 8)}`) {
      const user = h.sandbox.addUser({ username });
      const res = await call<{ data: { id: string } }>("POST", "/accounts", { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret });
      if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
      // the sandbox routes deliveries to the configured URL (our webhook) for every account
      return { user, accountId: res.body.data.id };
    },
    async close() {
      await events.close();
      await api.close();
      await close();
    },
  };
}
