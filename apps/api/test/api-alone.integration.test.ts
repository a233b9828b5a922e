// The API started on its own, on a database where no worker has ever run (API and workers scaled
// apart, any start order): it makes sure the queues it enqueues into exist, so X's first
// deliveries are stored with their jobs instead of failing.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createPgBoss, JOB_NAMES, DEAD_LETTER_QUEUE } from "@mkt-x/core/server";
import { buildInboundDmPayload } from "@mkt-x/twitter/sandbox";
import { BASE_PATH } from "../src/openapi.ts";
import { startApiProcess, type ApiProcess } from "./api-process.ts";

const CONSUMER_SECRET = "api-alone-consumer-secret";
let database: TestDatabase;
let api: ApiProcess;

const queueNames = async () => (await database.pool.query<{ name: string }>("SELECT name FROM pgboss.queue ORDER BY name")).rows.map((r) => r.name);

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  // a database as a fresh deployment has it: pg-boss's schema, but no queue yet (no worker ran)
  const boss = createPgBoss(database.url, { max: 1 });
  await boss.start();
  for (const name of [...JOB_NAMES, DEAD_LETTER_QUEUE]) await boss.deleteQueue(name);
  await boss.stop({ graceful: false });
  expect((await queueNames()).filter((n) => !n.startsWith("__pgboss__"))).toEqual([]);

  const { X_SANDBOX: _sandbox, ...inherited } = process.env;
  api = await startApiProcess({
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    JWT_SECRET: "api-alone-secret-0123456789",
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    X_CONSUMER_KEY: "api-alone-consumer-key",
    X_CONSUMER_SECRET: CONSUMER_SECRET,
    X_API_BASE_URL: "http://127.0.0.1:9",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

describe("the API alone, before any worker ever ran", () => {
  it("stores every one of 30 concurrent X deliveries with its job (200 each), none refused", async () => {
    expect(await queueNames()).toEqual(expect.arrayContaining(["webhook.event", "message.send", DEAD_LETTER_QUEUE]));
    const deliveries = Array.from({ length: 30 }, (_, i) => {
      const body = JSON.stringify(buildInboundDmPayload({ sender: { id: `${9000 + i}`, username: `c${i}` }, recipient: { id: "777", username: "shop" }, text: `hello ${i}`, eventId: `${5000 + i}` }));
      const signature = `sha256=${createHmac("sha256", CONSUMER_SECRET).update(body).digest("base64")}`;
      return fetch(`${api.url}${BASE_PATH}/webhooks/twitter`, { method: "POST", headers: { "content-type": "application/json", "x-twitter-webhooks-signature": signature }, body });
    });
    const statuses = (await Promise.all(deliveries)).map((r) => r.status);
    expect(statuses).toEqual(Array.from({ length: 30 }, () => 200));
    const stored = await database.pool.query<{ events: number; jobs: number }>(
      "SELECT (SELECT count(*)::int FROM webhook_events) AS events, (SELECT count(*)::int FROM pgboss.job WHERE name = 'webhook.event') AS jobs",
    );
    expect(stored.rows[0]).toEqual({ events: 30, jobs: 30 });
  });
});
