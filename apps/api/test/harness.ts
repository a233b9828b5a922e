// Starts the real API (fastify over HTTP) on a fresh database, with the X sandbox behind it.
import { inject } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createPgBoss, createJobQueue, createWebhookIngestor, createTokenCipher, createEmbeddedAiProvider, sendMessage, type SendPipelineDeps, type TargetPolicy } from "@mkt-x/core/server";
import type { AiProvider, Role } from "@mkt-x/core";
import { createTwitterXClient } from "@mkt-x/twitter";
import { createXSandbox, type XSandbox } from "@mkt-x/twitter/sandbox";
import { buildApp } from "../src/app.ts";
import { createTokenVerifier } from "../src/auth/verify-token.ts";
import { BASE_PATH } from "../src/openapi.ts";
import type { AppServices } from "../src/trpc/context.ts";
import { createLiveEventBus, type LiveEventBus } from "../src/events/live-event-bus.ts";
import type { StreamOptions } from "../src/events/stream-route.ts";

export const JWT_SECRET = "test-secret-0123456789abcdef";
export const CONSUMER_KEY = "test-consumer-key";
export const CONSUMER_SECRET = "test-consumer-secret";
/** Where connect registers the webhook unless `selfWebhook` is set: nothing listens there, so X's CRC fails. */
export const UNREACHABLE_WEBHOOK_URL = "http://127.0.0.1:9/unused";
/**
 * The admin app for connect with X (ADMIN_BASE_URL): the API's own address spelled with `localhost`,
 * an origin other than the API's (127.0.0.1) that still answers when a client follows the redirect.
 */
export const adminBaseUrlOf = (apiUrl: string) => apiUrl.replace("//127.0.0.1:", "//localhost:");

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  /** a bearer token; undefined mints the default owner token, null sends no Authorization header */
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TokenOptions {
  merchantId?: string;
  role?: Role;
  sub?: string;
  expiresIn?: string;
}

/** One API process: its own fastify app, pg-boss and X client, on the harness's database. */
export interface ApiInstance {
  url: string;
  /** url + the REST base path */
  base: string;
  /** this instance's live event bus */
  events: LiveEventBus;
  close(): Promise<void>;
}

export interface InstanceOptions {
  rateLimitPerMinute?: number;
  /** the AI chatbot's provider; default: the embedded NLU */
  ai?: AiProvider;
  /** run the send pipeline on an agent's reply in the request, as main.ts does (windows off) */
  deliverNow?: boolean;
  /** CRC answers per client address per minute (the app's default when unset) */
  crcPerMinute?: number;
  /** short-link hits per client address per minute (the app's default when unset) */
  shortLinkHitsPerMinute?: number;
  /** connect-with-X callbacks per client address per minute (default here: 1,000) */
  xConnectCallbacksPerMinute?: number;
  /** POST /api/v1/auth/signup open (SIGNUP_ENABLED); default off */
  signupEnabled?: boolean;
  /** the service's own sign-in at /api/v1/auth/*; default on (off: as with an external IAM) */
  signIn?: boolean;
  /** SSE tuning: heartbeat period, unread bytes before a client is dropped */
  liveEvents?: Omit<StreamOptions, "bus">;
  /** outgoing webhook targets (default: public addresses only, the system resolver) */
  webhookTargets?: TargetPolicy;
  /** AI_MODELS: the models merchants may choose (default: DEFAULT_AI_MODELS) */
  aiModels?: readonly string[];
  /** POST /dev/simulate-dm against the harness's sandbox, as with X_SANDBOX=1 (default off) */
  devSandbox?: boolean;
}

export interface HarnessOptions extends InstanceOptions {
  /**
   * Register the API's own POST /webhooks/twitter with X on connect (and make it the sandbox's
   * default delivery URL), so X's CRC check really reaches the API. Default: an unreachable URL.
   */
  selfWebhook?: boolean;
}

export interface Harness extends ApiInstance {
  database: TestDatabase;
  sandbox: XSandbox;
  encryptionKey: Buffer;
  /** the merchant of tokens minted without a merchantId */
  defaultMerchant: string;
  /** the webhook URL the API registers with X on connect */
  webhookUrl: string;
  token(opts?: TokenOptions): Promise<string>;
  call<T = Record<string, unknown>>(method: string, path: string, opts?: CallOptions): Promise<ApiResponse<T>>;
  /** Another API process on the same database and sandbox (closed with the harness). */
  startInstance(opts?: InstanceOptions): Promise<ApiInstance>;
}

interface Shared {
  database: TestDatabase;
  sandboxUrl: string;
  encryptionKey: Buffer;
}

async function startApi(shared: Shared, opts: InstanceOptions & { webhookUrl: (base: string) => string }): Promise<ApiInstance> {
  const boss = createPgBoss(shared.database.url, { max: 2 });
  await boss.start();
  const x = createTwitterXClient({ baseUrl: shared.sandboxUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 3000 });
  const services: AppServices = {
    db: shared.database.db,
    queue: createJobQueue(boss),
    ingestor: createWebhookIngestor({ pool: shared.database.pool, boss }),
    x,
    cipher: createTokenCipher(shared.encryptionKey),
    webhookUrl: UNREACHABLE_WEBHOOK_URL,
    ai: opts.ai ?? createEmbeddedAiProvider(),
    ...(opts.webhookTargets ? { webhookTargets: opts.webhookTargets } : {}),
    ...(opts.aiModels ? { aiModels: opts.aiModels } : {}),
  };
  const events = createLiveEventBus({ databaseUrl: shared.database.url, sweepIntervalMs: 0 });
  await events.start();
  services.events = events;
  if (opts.deliverNow) {
    const pipeline: SendPipelineDeps = { db: shared.database.db, x, cipher: services.cipher, queue: services.queue, windows: null, ...(opts.webhookTargets ? { mediaPolicy: opts.webhookTargets } : {}) };
    services.deliverNow = (messageId) => sendMessage(pipeline, messageId);
  }
  const app = await buildApp({
    services,
    verifyToken: createTokenVerifier({ secret: JWT_SECRET }),
    consumerSecret: CONSUMER_SECRET,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
    crcPerMinute: opts.crcPerMinute ?? 1_000,
    xConnectCallbacksPerMinute: opts.xConnectCallbacksPerMinute ?? 1_000,
    ...(opts.shortLinkHitsPerMinute !== undefined ? { shortLinkHitsPerMinute: opts.shortLinkHitsPerMinute } : {}),
    ...(opts.signIn === false ? {} : { signIn: { jwtSecret: JWT_SECRET, accessTokenTtl: 3600, signupEnabled: opts.signupEnabled ?? false } }),
    ...(opts.liveEvents ? { liveEvents: opts.liveEvents } : {}),
    ...(opts.devSandbox ? { devSandboxUrl: shared.sandboxUrl } : {}),
    readiness: async () => {
      await shared.database.db.$queryRaw`SELECT 1`;
      await boss.getQueues();
    },
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `${url}${BASE_PATH}`;
  // the URL is known only once listening; services are read per request, so setting it now is enough
  services.webhookUrl = opts.webhookUrl(base);
  services.xConnect = { callbackUrl: `${base}/accounts/oauth/callback`, authorizeBaseUrl: shared.sandboxUrl, adminBaseUrl: adminBaseUrlOf(url), publicBaseUrl: url };
  return {
    url,
    base,
    events,
    async close() {
      // open streams end with the bus, so close() does not wait on them
      await events.close();
      await app.close();
      x.close();
      await boss.stop({ graceful: false, close: true });
    },
  };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase(inject("dbTemplate"));
  // pool.end() resolves before its sockets are closed, and drop() then terminates them (FORCE):
  // without a listener that late "terminating connection" error would crash the test file
  database.pool.on("error", () => {});
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const sandboxUrl = await sandbox.listen();
  const shared: Shared = { database, sandboxUrl, encryptionKey: randomBytes(32) };
  const main = await startApi(shared, { ...opts, webhookUrl: (base) => (opts.selfWebhook ? `${base}/webhooks/twitter` : UNREACHABLE_WEBHOOK_URL) });
  const webhookUrl = opts.selfWebhook ? `${main.base}/webhooks/twitter` : UNREACHABLE_WEBHOOK_URL;
  if (opts.selfWebhook) sandbox.configure({ webhookUrl });
  const others: ApiInstance[] = [];
  const defaultMerchant = randomUUID();

  const token = ({ merchantId = defaultMerchant, role = "owner", sub = randomUUID(), expiresIn = "1h" }: TokenOptions = {}) =>
    new SignJWT({ merchantId, role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(JWT_SECRET));

  async function call<T>(method: string, path: string, { token: bearer, body, rawBody, headers = {} }: CallOptions = {}): Promise<ApiResponse<T>> {
    const requestHeaders: Record<string, string> = {};
    if (bearer !== null) requestHeaders.authorization = `Bearer ${bearer ?? (await token())}`;
    let requestBody: string | undefined;
    if (rawBody !== undefined) requestBody = rawBody;
    else if (body !== undefined) {
      requestBody = JSON.stringify(body);
      requestHeaders["content-type"] = "application/json";
    }
    const res = await fetch(path.startsWith("http") ? path : `${main.base}${path}`, { method, headers: { ...requestHeaders, ...headers }, body: requestBody });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    // the caller names the shape it expects; the tests assert it
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  return {
    url: main.url,
    base: main.base,
    events: main.events,
    database,
    sandbox,
    encryptionKey: shared.encryptionKey,
    defaultMerchant,
    webhookUrl,
    token,
    call,
    async startInstance(instanceOpts: InstanceOptions = {}) {
      const instance = await startApi(shared, { rateLimitPerMinute: instanceOpts.rateLimitPerMinute ?? opts.rateLimitPerMinute, ai: instanceOpts.ai ?? opts.ai, deliverNow: instanceOpts.deliverNow ?? opts.deliverNow, signupEnabled: instanceOpts.signupEnabled ?? opts.signupEnabled, signIn: instanceOpts.signIn ?? opts.signIn, liveEvents: instanceOpts.liveEvents ?? opts.liveEvents, ...((instanceOpts.webhookTargets ?? opts.webhookTargets) ? { webhookTargets: instanceOpts.webhookTargets ?? opts.webhookTargets } : {}), ...((instanceOpts.aiModels ?? opts.aiModels) ? { aiModels: instanceOpts.aiModels ?? opts.aiModels } : {}), webhookUrl: () => webhookUrl });
      others.push(instance);
      return instance;
    },
    async close() {
      for (const instance of [main, ...others]) await instance.close();
      await sandbox.close();
      await database.drop();
    },
  };
}
