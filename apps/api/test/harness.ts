// Starts the real API (fastify over HTTP) on a fresh database, with the X sandbox behind it.
import { inject } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createPgBoss, createJobQueue, createTokenCipher } from "@mkt-x/core/server";
import type { Role } from "@mkt-x/core";
import { createTwitterXClient } from "@mkt-x/twitter";
import { createXSandbox, type XSandbox } from "@mkt-x/twitter/sandbox";
import { buildApp } from "../src/app.ts";
import { createTokenVerifier } from "../src/auth/verify-token.ts";
import { BASE_PATH } from "../src/openapi.ts";

export const JWT_SECRET = "test-secret-0123456789abcdef";
export const CONSUMER_KEY = "test-consumer-key";
export const CONSUMER_SECRET = "test-consumer-secret";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Harness {
  url: string;
  base: string;
  database: TestDatabase;
  sandbox: XSandbox;
  encryptionKey: Buffer;
  token(opts?: { merchantId?: string; role?: Role; sub?: string; expiresIn?: string }): Promise<string>;
  call<T = Record<string, unknown>>(method: string, path: string, opts?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startHarness(opts: { rateLimitPerMinute?: number } = {}): Promise<Harness> {
  const database = await createTestDatabase(inject("dbTemplate"));
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const sandboxUrl = await sandbox.listen();
  const boss = createPgBoss(database.url, { max: 2 });
  await boss.start();
  const encryptionKey = randomBytes(32);
  const app = await buildApp({
    services: {
      db: database.db,
      queue: createJobQueue(boss),
      x: createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 3000 }),
      cipher: createTokenCipher(encryptionKey),
      webhookUrl: "http://127.0.0.1:9/unused",
    },
    verifyToken: createTokenVerifier({ secret: JWT_SECRET }),
    consumerSecret: CONSUMER_SECRET,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
    readiness: async () => {
      await database.db.$queryRaw`SELECT 1`;
    },
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `${url}${BASE_PATH}`;
  const defaultMerchant = randomUUID();

  return {
    url,
    base,
    database,
    sandbox,
    encryptionKey,
    token: ({ merchantId = defaultMerchant, role = "owner", sub = randomUUID(), expiresIn = "1h" } = {}) =>
      new SignJWT({ merchantId, role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(JWT_SECRET)),
    async call<T>(method: string, path: string, { token, body, rawBody, headers = {} }: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
      const auth = token === null ? {} : { authorization: `Bearer ${token ?? (await this.token())}` };
      const init: RequestInit = { method, headers: { ...auth, ...headers } };
      if (rawBody !== undefined) init.body = rawBody;
      else if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { "content-type": "application/json", ...init.headers };
      }
      const res = await fetch(path.startsWith("http") ? path : `${base}${path}`, init);
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text;
      }
      return { status: res.status, headers: res.headers, body: parsed as T, text };
    },
    async close() {
      await app.close();
      await boss.stop({ graceful: false, close: true });
      await sandbox.close();
      await database.drop();
    },
  };
}
