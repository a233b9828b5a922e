// Outgoing webhook subscriptions as a REST client sees them: create (the secret once), list, get,
// update (re-enabling resets the failure count), delete, deliveries and redeliver; owner and admin
// only, another merchant's answer 404, and every refused target (not http(s), too long, loopback,
// private, link-local, metadata, IPv6 and IPv4-mapped forms, names that resolve inside) is a 400,
// with WEBHOOK_ALLOW_PRIVATE_TARGETS unset and DNS answered by a resolver the test controls.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenCipher, subscriptionSecretPlace, type Resolver } from "@mkt-x/core/server";
import { startHarness, type Harness } from "./harness.ts";
import { newMerchant, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

interface WebhookBody {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}
interface DeliveryBody {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  responseBody: string | null;
  durationMs: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

const PUBLIC_IP = "93.184.215.14";
// the DNS of this test: a public name, names that resolve inside, and nothing else
const resolve: Resolver = async (hostname) => {
  const table: Record<string, string[]> = {
    "hooks.example.com": [PUBLIC_IP],
    "other.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "internal.example.com": ["10.0.0.5"],
    "mixed.example.com": [PUBLIC_IP, "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6-internal.example.com": ["fd00:ec2::254"],
  };
  const answers = table[hostname];
  if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return answers.map((address) => ({ address, family: address.includes(":") ? (6 as const) : (4 as const) }));
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ webhookTargets: { allowPrivate: false, resolve } });
});
afterAll(async () => {
  await h?.close();
});

const WEBHOOK_KEYS = ["active", "consecutiveFailures", "createdAt", "description", "disabledAt", "disabledReason", "events", "id", "updatedAt", "url"];
const URL_OK = "https://hooks.example.com/mktx";

async function shop(role: "owner" | "admin" | "agent" | "viewer" = "owner") {
  const merchantId = newMerchant();
  return { merchantId, token: await h.token({ merchantId, role }) };
}
const create = (token: string, body: unknown) => h.call<Success<WebhookBody>>("POST", "/integrations/webhooks", { token, body });
async function created(token: string, body: Record<string, unknown> = {}) {
  return expectSuccess(await create(token, { url: URL_OK, events: ["message.created"], ...body }));
}

describe("POST /integrations/webhooks", () => {
  it("answers the subscription with its secret, this once; reads never show it and it is stored encrypted", async () => {
    const s = await shop("owner");
    const hook = await created(s.token, { events: ["message.created", "conversation.updated", "message.created"], description: "CRM sync" });
    expect(Object.keys(hook).sort()).toEqual([...WEBHOOK_KEYS, "secret"].sort());
    expect(hook).toMatchObject({ url: URL_OK, events: ["message.created", "conversation.updated"], description: "CRM sync", active: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const got = expectSuccess(await h.call<Success<WebhookBody>>("GET", `/integrations/webhooks/${hook.id}`, { token: s.token }));
    expect(Object.keys(got).sort()).toEqual(WEBHOOK_KEYS);
    const list = await h.call<Success<WebhookBody[]>>("GET", "/integrations/webhooks", { token: s.token });
    expect(expectSuccess(list).map((w) => w.id)).toEqual([hook.id]);
    expect(list.body.pagination).toEqual({ page: 1, limit: 20, total: 1, totalPages: 1 });
    expect(list.text).not.toContain(hook.secret);
    expect(got).not.toHaveProperty("secret");

    const { rows } = await h.database.pool.query<{ secret_enc: string }>("SELECT secret_enc FROM webhook_subscriptions WHERE id = $1", [hook.id]);
    const stored = rows[0]?.secret_enc ?? "";
    expect(stored).toMatch(/^v2:/);
    expect(stored).not.toContain(hook.secret?.slice(6));
    const cipher = createTokenCipher(h.encryptionKey);
    expect(cipher.decrypt(stored, subscriptionSecretPlace(hook.id))).toBe(hook.secret);
    expect(() => cipher.decrypt(stored, subscriptionSecretPlace(randomUUID()))).toThrow();
  });

  it("takes an admin, and a public IPv6 host", async () => {
    const s = await shop("admin");
    const hook = await created(s.token, { url: "http://other.example.com:8080/in?x=1" });
    expect(hook.url).toBe("http://other.example.com:8080/in?x=1");
  });

  it("refuses targets that are not http(s), too long, or not public, with a 400 naming url", async () => {
    const s = await shop();
    const refused = [
      "ftp://hooks.example.com/x",
      "not a url",
      "javascript:alert(1)",
      "file:///etc/passwd",
      `https://hooks.example.com/${"a".repeat(2049)}`,
      "https://user:pw@hooks.example.com/",
      "http://127.0.0.1/hook",
      "http://127.1/hook",
      "http://2130706433/hook",
      "http://0x7f000001/hook",
      "http://localhost/hook",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.10/",
      "http://100.64.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/",
      "http://224.0.0.1/",
      "http://255.255.255.255/",
      "http://[::1]/",
      "http://[::]/",
      "http://[fe80::1]/",
      "http://[fc00::1]/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:169.254.169.254]/",
      "http://[::ffff:10.0.0.1]/",
      "http://[ff02::1]/",
      "http://internal.example.com/",
      "http://mixed.example.com/",
      "http://metadata.example.com/",
      "http://v6-internal.example.com/",
      "http://nowhere.invalid/",
    ];
    for (const url of refused) {
      const res = await create(s.token, { url, events: ["message.created"] });
      const failure = expectFailure(res, 400, "VALIDATION_ERROR");
      expect(detailFields(failure), url).toEqual(["url"]);
    }
    expect(expectSuccess(await h.call<Success<WebhookBody[]>>("GET", "/integrations/webhooks", { token: s.token }))).toEqual([]);
  });

  it("refuses unknown, empty or missing event types and unknown fields", async () => {
    const s = await shop();
    const bodies: [unknown, string][] = [
      [{ url: URL_OK, events: ["message.deleted"] }, "events.0"],
      [{ url: URL_OK, events: [] }, "events"],
      [{ url: URL_OK }, "events"],
      [{ url: URL_OK, events: "message.created" }, "events"],
      [{ events: ["message.created"] }, "url"],
      [{ url: 42, events: ["message.created"] }, "url"],
      [{ url: URL_OK, events: ["message.created"], secret: "mine" }, "secret"],
      [{ url: URL_OK, events: ["message.created"], description: "x".repeat(501) }, "description"],
    ];
    for (const [body, field] of bodies) {
      const failure = expectFailure(await create(s.token, body), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(body)).toContain(field);
    }
    expectFailure(await h.call("POST", "/integrations/webhooks", { token: s.token, rawBody: "{not json", headers: { "content-type": "application/json" } }), 400, "VALIDATION_ERROR");
  });
});

describe("PUT and DELETE /integrations/webhooks/{id}", () => {
  it("changes what is given and keeps the rest; a private url is refused", async () => {
    const s = await shop();
    const hook = await created(s.token, { description: "first" });
    const put = (body: unknown) => h.call<Success<WebhookBody>>("PUT", `/integrations/webhooks/${hook.id}`, { token: s.token, body });
    const changed = expectSuccess(await put({ events: ["contact.created", "contact.updated"], description: null }));
    expect(changed).toMatchObject({ id: hook.id, url: URL_OK, events: ["contact.created", "contact.updated"], description: null, active: true });
    expect(expectSuccess(await put({ url: "https://other.example.com/v2" })).url).toBe("https://other.example.com/v2");
    for (const url of ["http://127.0.0.1/", "http://[::ffff:192.168.0.1]/", "http://internal.example.com/", "gopher://hooks.example.com/"]) {
      expect(detailFields(expectFailure(await put({ url }), 400, "VALIDATION_ERROR"))).toEqual(["url"]);
    }
    expectFailure(await put({ events: ["nope"] }), 400, "VALIDATION_ERROR");
    expectFailure(await put({ active: "yes" }), 400, "VALIDATION_ERROR");
    const after = expectSuccess(await h.call<Success<WebhookBody>>("GET", `/integrations/webhooks/${hook.id}`, { token: s.token }));
    expect(after).toMatchObject({ url: "https://other.example.com/v2", events: ["contact.created", "contact.updated"] });
  });

  it("pauses with active false; re-enabling a disabled subscription clears its failure count and reason", async () => {
    const s = await shop();
    const hook = await created(s.token);
    const put = (body: unknown) => h.call<Success<WebhookBody>>("PUT", `/integrations/webhooks/${hook.id}`, { token: s.token, body });
    const paused = expectSuccess(await put({ active: false }));
    expect(paused.active).toBe(false);
    expect(paused.disabledReason).toBeTruthy();
    // as the worker leaves it after fifty failures in a row
    await h.database.pool.query("UPDATE webhook_subscriptions SET active = false, consecutive_failures = 50, disabled_reason = '50 failed attempts in a row; the last: HTTP 500', disabled_at = now() WHERE id = $1", [hook.id]);
    const disabled = expectSuccess(await h.call<Success<WebhookBody>>("GET", `/integrations/webhooks/${hook.id}`, { token: s.token }));
    expect(disabled).toMatchObject({ active: false, consecutiveFailures: 50, disabledReason: "50 failed attempts in a row; the last: HTTP 500" });
    expect(disabled.disabledAt).not.toBeNull();
    const enabled = expectSuccess(await put({ active: true }));
    expect(enabled).toMatchObject({ active: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null });
  });

  it("deletes the subscription and its deliveries", async () => {
    const s = await shop();
    const hook = await created(s.token);
    await insertDelivery(s.merchantId, hook.id, { status: "succeeded" });
    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/integrations/webhooks/${hook.id}`, { token: s.token }))).toBeNull();
    expectFailure(await h.call("GET", `/integrations/webhooks/${hook.id}`, { token: s.token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/integrations/webhooks/${hook.id}`, { token: s.token }), 404, "RESOURCE_NOT_FOUND");
    const { rows } = await h.database.pool.query("SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1", [hook.id]);
    expect(rows).toEqual([]);
  });
});

let eventSeq = 1_000_000;
async function insertDelivery(merchantId: string, subscriptionId: string, fields: { status: string; createdAt?: Date; responseBody?: string }) {
  const eventId = eventSeq++;
  const { rows } = await h.database.pool.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (merchant_id, subscription_id, event_id, event_type, body, status, attempts, response_code, response_body, duration_ms, error, retry_until, last_attempt_at, created_at, next_attempt_at)
     VALUES ($1, $2, $3, 'message.created', '{}', $4, 3, 500, $5, 42, 'HTTP 500', now() + interval '1 day', now(), $6, NULL) RETURNING id`,
    [merchantId, subscriptionId, eventId, fields.status, fields.responseBody ?? "oops", fields.createdAt ?? new Date()],
  );
  return { id: rows[0]?.id ?? "", eventId };
}

describe("deliveries and redeliver", () => {
  it("lists deliveries newest first with what the last attempt got", async () => {
    const s = await shop("admin");
    const hook = await created(s.token);
    const older = await insertDelivery(s.merchantId, hook.id, { status: "failed", createdAt: new Date(Date.now() - 60_000) });
    const newer = await insertDelivery(s.merchantId, hook.id, { status: "failed" });
    const res = await h.call<Success<DeliveryBody[]>>("GET", `/integrations/webhooks/${hook.id}/deliveries?take=10`, { token: s.token });
    const list = expectSuccess(res);
    expect(list.map((d) => d.id)).toEqual([newer.id, older.id]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, total: 2, totalPages: 1 });
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(["attempts", "createdAt", "durationMs", "error", "eventId", "eventType", "id", "lastAttemptAt", "nextAttemptAt", "responseBody", "responseCode", "status", "subscriptionId"]);
    expect(list[0]).toMatchObject({ subscriptionId: hook.id, eventId: String(newer.eventId), eventType: "message.created", status: "failed", attempts: 3, responseCode: 500, responseBody: "oops", durationMs: 42, error: "HTTP 500", nextAttemptAt: null });
    expectFailure(await h.call("GET", `/integrations/webhooks/${hook.id}/deliveries?take=101`, { token: s.token }), 400, "VALIDATION_ERROR");
  });

  it("redelivers a settled delivery under its own id (a job queued with it); a pending one or a disabled webhook is a 409", async () => {
    const s = await shop();
    const hook = await created(s.token);
    const d = await insertDelivery(s.merchantId, hook.id, { status: "failed" });
    const redeliver = (deliveryId: string, hookId = hook.id, token = s.token) => h.call<Success<DeliveryBody>>("POST", `/integrations/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`, { token });
    const again = expectSuccess(await redeliver(d.id));
    expect(again).toMatchObject({ id: d.id, status: "pending", attempts: 3 });
    expect(again.nextAttemptAt).not.toBeNull();
    const { rows: jobs } = await h.database.pool.query<{ data: { deliveryId: string; subscriptionId: string } }>("SELECT data FROM pgboss.job WHERE name = 'webhook.deliver'");
    expect(jobs.map((j) => j.data)).toContainEqual({ deliveryId: d.id, subscriptionId: hook.id });
    expectFailure(await redeliver(d.id), 409, "CONFLICT");
    expectFailure(await redeliver(randomUUID()), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await redeliver("not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
    const other = await created(s.token);
    expectFailure(await redeliver(d.id, other.id), 404, "RESOURCE_NOT_FOUND");

    const settled = await insertDelivery(s.merchantId, hook.id, { status: "succeeded" });
    await h.call("PUT", `/integrations/webhooks/${hook.id}`, { token: s.token, body: { active: false } });
    expectFailure(await redeliver(settled.id), 409, "CONFLICT");
  });
});

describe("roles and merchants", () => {
  it("agents and viewers get 403 on every endpoint; no token 401", async () => {
    const owner = await shop("owner");
    const hook = await created(owner.token);
    const d = await insertDelivery(owner.merchantId, hook.id, { status: "failed" });
    for (const role of ["agent", "viewer"] as const) {
      const token = await h.token({ merchantId: owner.merchantId, role });
      const calls: [string, string, unknown?][] = [
        ["POST", "/integrations/webhooks", { url: URL_OK, events: ["message.created"] }],
        ["GET", "/integrations/webhooks"],
        ["GET", `/integrations/webhooks/${hook.id}`],
        ["PUT", `/integrations/webhooks/${hook.id}`, { active: false }],
        ["DELETE", `/integrations/webhooks/${hook.id}`],
        ["GET", `/integrations/webhooks/${hook.id}/deliveries`],
        ["POST", `/integrations/webhooks/${hook.id}/deliveries/${d.id}/redeliver`],
      ];
      for (const [method, path, body] of calls) expectFailure(await h.call(method, path, { token, body }), 403, "FORBIDDEN");
    }
    expectFailure(await h.call("GET", "/integrations/webhooks", { token: null }), 401, "UNAUTHORIZED");
    expect(expectSuccess(await h.call<Success<WebhookBody>>("GET", `/integrations/webhooks/${hook.id}`, { token: owner.token })).active).toBe(true);
  });

  it("another merchant's subscription answers 404 everywhere, and is left alone", async () => {
    const a = await shop();
    const b = await shop();
    const hook = await created(a.token);
    const d = await insertDelivery(a.merchantId, hook.id, { status: "failed" });
    const calls: [string, string, unknown?][] = [
      ["GET", `/integrations/webhooks/${hook.id}`],
      ["PUT", `/integrations/webhooks/${hook.id}`, { active: false }],
      ["DELETE", `/integrations/webhooks/${hook.id}`],
      ["GET", `/integrations/webhooks/${hook.id}/deliveries`],
      ["POST", `/integrations/webhooks/${hook.id}/deliveries/${d.id}/redeliver`],
    ];
    for (const [method, path, body] of calls) expectFailure(await h.call(method, path, { token: b.token, body }), 404, "RESOURCE_NOT_FOUND");
    expect(expectSuccess(await h.call<Success<WebhookBody[]>>("GET", "/integrations/webhooks", { token: b.token }))).toEqual([]);
    expect(expectSuccess(await h.call<Success<WebhookBody>>("GET", `/integrations/webhooks/${hook.id}`, { token: a.token })).active).toBe(true);
  });
});

describe("tRPC and OpenAPI", () => {
  it("the same procedures are typed tRPC calls and documented REST paths", async () => {
    const s = await shop();
    const hook = await created(s.token);
    const res = await h.call<{ result: { data: { data: WebhookBody[] } } }>("GET", `${h.url}/trpc/webhooks.list?input=${encodeURIComponent("{}")}`, { token: s.token });
    expect(res.status).toBe(200);
    expect(res.body.result.data.data.map((w) => w.id)).toEqual([hook.id]);
    const doc = await h.call<{ paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json", { token: null });
    expect(Object.keys(doc.body.paths["/integrations/webhooks"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.body.paths["/integrations/webhooks/{id}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(doc.body.paths["/integrations/webhooks/{id}/deliveries"] ?? {})).toEqual(["get"]);
    expect(Object.keys(doc.body.paths["/integrations/webhooks/{id}/deliveries/{deliveryId}/redeliver"] ?? {})).toEqual(["post"]);
  });
});
