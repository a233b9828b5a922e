// Webhooks from X (CONTRACT.md): the CRC answer, signed deliveries stored with their job before the
// 200, refusals that store nothing, and dedupe by X's event id.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFollowPayload, buildInboundDmPayload, buildReadPayload, signWebhookPayload, type AccountActivityPayload } from "@mkt-x/twitter/sandbox";
import { CONSUMER_SECRET, startHarness, type Harness } from "./harness.ts";
import { connectAccount, randomXUserId, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The signature, computed here from the contract rather than with the service's helper. */
const sign = (body: string, key = CONSUMER_SECRET) => `sha256=${createHmac("sha256", key).update(body).digest("base64")}`;

const customer = () => ({ id: randomXUserId(), username: `customer_${randomBytes(3).toString("hex")}` });
const shop = () => ({ id: randomXUserId(), username: `shop_${randomBytes(3).toString("hex")}` });
const eventId = () => randomXUserId();

function dmPayload(opts: { id?: string; text?: string } = {}): AccountActivityPayload {
  return buildInboundDmPayload({ sender: customer(), recipient: shop(), text: opts.text ?? "Hello!", eventId: opts.id ?? eventId() });
}

interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
}

const deliver = (body: string, signature: string | null = sign(body), extraHeaders: Record<string, string> = {}) =>
  h.call<Success<IngestResult>>("POST", "/webhooks/twitter", {
    token: null,
    rawBody: body,
    headers: { "content-type": "application/json", ...(signature === null ? {} : { "x-twitter-webhooks-signature": signature }), ...extraHeaders },
  });

async function counts() {
  const events = await h.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events");
  const jobs = await h.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook.event'");
  return { events: events.rows[0]?.n ?? -1, jobs: jobs.rows[0]?.n ?? -1 };
}

async function eventsByKey(key: string) {
  const { rows } = await h.database.pool.query<{ id: string; kind: string; for_user_id: string | null; payload: AccountActivityPayload; status: string }>(
    "SELECT id, kind, for_user_id, payload, status FROM webhook_events WHERE event_key = $1",
    [key],
  );
  return rows;
}

async function jobsFor(webhookEventId: string) {
  const { rows } = await h.database.pool.query<{ state: string }>("SELECT state FROM pgboss.job WHERE name = 'webhook.event' AND data->>'webhookEventId' = $1", [webhookEventId]);
  return rows;
}

describe("CRC (GET /webhooks/verify and /webhooks/twitter)", () => {
  // "sha256=" + base64(HMAC-SHA256(key = "test-consumer-secret", token)), computed with openssl
  const VECTORS = [
    ["T", "sha256=p38omLR1TB0TQ7MrLQyDTvf8F52weqZ56w4Fv0D2Aoo="],
    ["challenge-123", "sha256=tkNEg0seEcYQ8M3405Unns/xCXZPr0AfN2Yx77Yg+c8="],
    ["Zm9v+YmFy/_-==", "sha256=" + createHmac("sha256", "test-consumer-secret").update("Zm9v+YmFy/_-==").digest("base64")],
  ] as const;

  for (const path of ["/webhooks/verify", "/webhooks/twitter"]) {
    it.each(VECTORS)(`${path} answers the fixed vector for %j`, async (crcToken, expected) => {
      const res = await h.call("GET", `${path}?crc_token=${encodeURIComponent(crcToken)}`, { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.body).toEqual({ response_token: expected });
    });

    it(`${path} answers the HMAC of a random token, computed independently`, async () => {
      const crcToken = randomBytes(24).toString("base64url");
      const res = await h.call("GET", `${path}?crc_token=${crcToken}`, { token: null });
      expect(res.body).toEqual({ response_token: `sha256=${createHmac("sha256", CONSUMER_SECRET).update(crcToken).digest("base64")}` });
    });

    it(`${path} answers 400 VALIDATION_ERROR without a crc_token`, async () => {
      expectFailure(await h.call("GET", path, { token: null }), 400, "VALIDATION_ERROR");
      expectFailure(await h.call("GET", `${path}?crc_token=`, { token: null }), 400, "VALIDATION_ERROR");
      expectFailure(await h.call("GET", `${path}?other=1`, { token: null }), 400, "VALIDATION_ERROR");
    });

    it(`${path} answers 400 VALIDATION_ERROR for anything not shaped like X's CRC tokens`, async () => {
      for (const bad of ["crc token with spaces", "ünïcode", "a.b", "x".repeat(256), '{"for_user_id":"1"}', "tok\n"]) {
        const res = expectFailure(await h.call("GET", `${path}?crc_token=${encodeURIComponent(bad)}`, { token: null }), 400, "VALIDATION_ERROR");
        expect(res.details).toMatchObject({ field: "crc_token" });
        expect(JSON.stringify(res)).not.toContain("sha256=");
      }
      expect((await h.call("GET", `${path}?crc_token=${"x".repeat(255)}`, { token: null })).status).toBe(200);
    });
  }

  it("cannot be used to sign a forged delivery (the CRC answer is never a valid delivery signature)", async () => {
    const before = await counts();
    // the attack: a delivery body sent as crc_token, its answer used as the X-Twitter-Webhooks-Signature
    const forged = JSON.stringify(dmPayload({ text: "forged first DM" }));
    const asked = await h.call<{ response_token?: string }>("GET", `/webhooks/twitter?crc_token=${encodeURIComponent(forged)}`, { token: null });
    expectFailure(asked, 400, "VALIDATION_ERROR");
    // and by construction: whatever the route does answer (token-shaped text) never verifies as a delivery
    for (const tokenShaped of ["W10=", "e30=", "eyJhIjoxfQ==", "challenge-123"]) {
      const answer = await h.call<{ response_token: string }>("GET", `/webhooks/twitter?crc_token=${tokenShaped}`, { token: null });
      expect(answer.status).toBe(200);
      expectFailure(await deliver(tokenShaped, answer.body.response_token), 401, "UNAUTHORIZED");
    }
    expect(await counts()).toEqual(before);
  });

  it("is rate limited per client address, in the envelope", async () => {
    const limited = await startHarness({ crcPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.call("GET", `/webhooks/verify?crc_token=t${i}`, { token: null })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expectFailure(await limited.call("GET", "/webhooks/twitter?crc_token=T", { token: null }), 429, "RATE_LIMIT_EXCEEDED");
    } finally {
      await limited.close();
    }
  });

  it("needs no bearer token and ignores a bad one (X sends none)", async () => {
    const res = await h.call("GET", "/webhooks/twitter?crc_token=T", { token: "garbage" });
    expect(res.body).toEqual({ response_token: "sha256=p38omLR1TB0TQ7MrLQyDTvf8F52weqZ56w4Fv0D2Aoo=" });
  });
});

describe("POST /webhooks/twitter", () => {
  it("stores a validly signed DM delivery and enqueues its job before answering 200", async () => {
    const id = eventId();
    const payload = dmPayload({ id, text: "Do you ship to Hanoi?" });
    const res = await deliver(JSON.stringify(payload));
    expect(expectSuccess(res)).toEqual({ received: 1, stored: 1, duplicates: 0 });

    const rows = await eventsByKey(`dm:${id}`);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    if (!row) throw new Error("no row");
    expect(row).toMatchObject({ kind: "direct_message", for_user_id: payload.for_user_id, status: "received" });
    expect(row.payload.direct_message_events?.[0]?.message_create.message_data.text).toBe("Do you ship to Hanoi?");
    expect(row.payload.direct_message_events?.[0]?.id).toBe(id);
    expect(await jobsFor(row.id)).toHaveLength(1);
  });

  it("accepts the sandbox's own signing of a payload", async () => {
    const payload = dmPayload();
    const signed = signWebhookPayload(CONSUMER_SECRET, payload);
    const res = await deliver(signed.body, signed.headers["x-twitter-webhooks-signature"]);
    expect(expectSuccess(res).stored).toBe(1);
  });

  const refusals: Array<[string, (body: string) => { body: string; signature: string | null }]> = [
    ["no signature header", (body) => ({ body, signature: null })],
    ["an empty signature", (body) => ({ body, signature: "" })],
    ["a signature with another secret", (body) => ({ body, signature: sign(body, "not-the-consumer-secret") })],
    ["a signature of another body", (body) => ({ body, signature: sign(`${body} `) })],
    ["a tampered body", (body) => ({ body: body.replace("Hello!", "Hellp!"), signature: sign(body) })],
    ["a signature without the sha256= prefix", (body) => ({ body, signature: sign(body).slice("sha256=".length) })],
    ["a hex signature", (body) => ({ body, signature: `sha256=${createHmac("sha256", CONSUMER_SECRET).update(body).digest("hex")}` })],
    ["a truncated signature", (body) => ({ body, signature: sign(body).slice(0, -4) })],
    ["a signature in another case", (body) => ({ body, signature: sign(body).replace("sha256=", "SHA256=") })],
  ];

  it.each(refusals)("refuses %s with 401 and stores nothing", async (_label, make) => {
    const before = await counts();
    const id = eventId();
    const { body, signature } = make(JSON.stringify(dmPayload({ id })));
    expectFailure(await deliver(body, signature), 401, "UNAUTHORIZED");
    expect(await counts()).toEqual(before);
    expect(await eventsByKey(`dm:${id}`)).toHaveLength(0);
  });

  it("refuses a bearer token in place of the signature", async () => {
    const before = await counts();
    const body = JSON.stringify(dmPayload());
    const res = await h.call("POST", "/webhooks/twitter", { rawBody: body, headers: { "content-type": "application/json" } });
    expectFailure(res, 401, "UNAUTHORIZED");
    expect(await counts()).toEqual(before);
  });

  it("answers 400 for malformed JSON that is validly signed, storing nothing", async () => {
    const before = await counts();
    expectFailure(await deliver('{"for_user_id": "1", "direct_message_events": ['), 400, "VALIDATION_ERROR");
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["plain text", "hello"],
    ["an empty body", ""],
    ["a JSON array", "[]"],
  ])("refuses a validly signed body that is not a JSON object (%s) with 401: such bytes are what CRC answers sign", async (_label, body) => {
    const before = await counts();
    expectFailure(await deliver(body), 401, "UNAUTHORIZED");
    expect(await counts()).toEqual(before);
  });

  it("stores the same delivery once: the replay answers 200 as a duplicate, one row, one job", async () => {
    const id = eventId();
    const body = JSON.stringify(dmPayload({ id }));
    const before = await counts();
    expect(expectSuccess(await deliver(body))).toEqual({ received: 1, stored: 1, duplicates: 0 });
    expect(expectSuccess(await deliver(body))).toEqual({ received: 1, stored: 0, duplicates: 1 });
    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
    const rows = await eventsByKey(`dm:${id}`);
    expect(rows).toHaveLength(1);
    expect(await jobsFor(rows[0]?.id ?? "")).toHaveLength(1);
  });

  it("dedupes by X's event id even when the bytes differ", async () => {
    const id = eventId();
    const payload = dmPayload({ id });
    expectSuccess(await deliver(JSON.stringify(payload)));
    // the same event, re-serialised with its keys in another order and indented
    const reordered = JSON.stringify({ users: payload.users, direct_message_events: payload.direct_message_events, for_user_id: payload.for_user_id }, null, 2);
    expect(expectSuccess(await deliver(reordered))).toEqual({ received: 1, stored: 0, duplicates: 1 });
    expect(await eventsByKey(`dm:${id}`)).toHaveLength(1);
  });

  it("stores text PostgreSQL cannot hold (NUL, an unpaired surrogate) with U+FFFD in its place", async () => {
    const id = eventId();
    const payload = dmPayload({ id, text: "nul\u0000byte \uD83D end" });
    payload.users = Object.fromEntries(Object.entries(payload.users ?? {}).map(([k, u]) => [k, { ...u, name: "Jo\u0000hn" }]));
    expect(expectSuccess(await deliver(JSON.stringify(payload)))).toEqual({ received: 1, stored: 1, duplicates: 0 });
    const [row] = await eventsByKey(`dm:${id}`);
    expect(row?.payload.direct_message_events?.[0]?.message_create.message_data.text).toBe("nul\uFFFDbyte \uFFFD end");
    expect(Object.values(row?.payload.users ?? {}).map((u) => u.name)).toEqual(["Jo\uFFFDhn", "Jo\uFFFDhn"]);
  });

  it("one delivery the database refuses does not fail the others that shared its commit", async () => {
    // a database that refuses one event (as it might for a reason we do not foresee)
    await h.database.pool.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
      BEGIN
        IF NEW.payload::text LIKE '%poison%' THEN RAISE EXCEPTION 'refused'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    try {
      const payloads = Array.from({ length: 12 }, (_, i) => dmPayload({ text: i === 3 ? "poison" : `fine ${i}` }));
      const answers = await Promise.all(payloads.map((p) => deliver(JSON.stringify(p))));
      expect(answers.map((a) => a.status)).toEqual(payloads.map((_, i) => (i === 3 ? 500 : 200)));
      for (const [i, p] of payloads.entries()) {
        expect(await eventsByKey(`dm:${p.direct_message_events?.[0]?.id}`)).toHaveLength(i === 3 ? 0 : 1);
      }
    } finally {
      await h.database.pool.query("DROP TRIGGER refuse_poison ON webhook_events");
      await h.database.pool.query("DROP FUNCTION refuse_poison()");
    }
  });

  it("stores a delivery of two DM events as two rows with two jobs", async () => {
    const first = dmPayload({ text: "one" });
    const second = dmPayload({ text: "two" });
    const [a, b] = [first.direct_message_events?.[0], second.direct_message_events?.[0]];
    if (!a || !b) throw new Error("payload without events");
    const both: AccountActivityPayload = { ...first, direct_message_events: [a, b], users: { ...first.users, ...second.users } };
    const before = await counts();
    expect(expectSuccess(await deliver(JSON.stringify(both)))).toEqual({ received: 2, stored: 2, duplicates: 0 });
    expect(await counts()).toEqual({ events: before.events + 2, jobs: before.jobs + 2 });
    for (const event of [a, b]) {
      const rows = await eventsByKey(`dm:${event.id}`);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.payload.direct_message_events).toEqual([event]);
      expect(await jobsFor(rows[0]?.id ?? "")).toHaveLength(1);
    }
    // one of the two again, beside a new one: only the new one is stored
    const third = dmPayload({ text: "three" }).direct_message_events?.[0];
    if (!third) throw new Error("payload without events");
    const mixed: AccountActivityPayload = { ...first, direct_message_events: [a, third] };
    expect(expectSuccess(await deliver(JSON.stringify(mixed)))).toEqual({ received: 2, stored: 1, duplicates: 1 });
  });

  it("stores follow and read events with their kinds, deduped on replay", async () => {
    const account = shop();
    const follower = customer();
    const follow = JSON.stringify(buildFollowPayload({ source: follower, target: account, createdAt: new Date("2026-01-18T10:00:00Z") }));
    const read = JSON.stringify(buildReadPayload({ reader: follower, account, lastReadEventId: eventId() }));
    const before = await counts();
    expect(expectSuccess(await deliver(follow)).stored).toBe(1);
    expect(expectSuccess(await deliver(read)).stored).toBe(1);
    expect(expectSuccess(await deliver(follow)).duplicates).toBe(1);
    expect(expectSuccess(await deliver(read)).duplicates).toBe(1);
    expect(await counts()).toEqual({ events: before.events + 2, jobs: before.jobs + 2 });
    const { rows } = await h.database.pool.query<{ kind: string; for_user_id: string }>(
      "SELECT kind, for_user_id FROM webhook_events WHERE for_user_id = $1 ORDER BY kind",
      [account.id],
    );
    expect(rows).toEqual([
      { kind: "direct_message_read", for_user_id: account.id },
      { kind: "follow", for_user_id: account.id },
    ]);
  });
});

describe("POST /webhooks/twitter with ids too long to index", () => {
  it.each([
    ["an unknown payload whose id is 600 KB", () => ({ id: "😀".repeat(150_000) })],
    ["a DM whose id_str is 300 KB", () => ({ for_user_id: "1", direct_message_events: [{ type: "message_create", id_str: "9".repeat(300_000), message_create: { sender_id: "2", target: { recipient_id: "1" }, message_data: { text: "hi" } } }] })],
    ["an X Activity event whose event_uuid is 100 KB", () => ({ data: { event_type: "dm.received", event_uuid: randomBytes(50_000).toString("hex"), payload: {} } })],
  ])("stores %s (200), and a replay of it as a duplicate", async (_label, make) => {
    const body = JSON.stringify(make());
    const before = await counts();
    expect(expectSuccess(await deliver(body))).toEqual({ received: 1, stored: 1, duplicates: 0 });
    expect(expectSuccess(await deliver(body))).toEqual({ received: 1, stored: 0, duplicates: 1 });
    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
  });
});

describe("deliveries from the X sandbox to the API's own webhook", () => {
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness({ selfWebhook: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("stores an inbound DM that X delivers to the subscribed account, once even when X redelivers it", async () => {
    const { user: account } = await connectAccount(s);
    const buyer = s.sandbox.addUser({ username: `buyer_${randomBytes(3).toString("hex")}` });

    const first = await s.sandbox.inboundDm({ fromUserId: buyer.id, toUserId: account.id, text: "Is this in stock?" });
    expect(first).toMatchObject({ delivered: true, status: 200 });
    const replay = await s.sandbox.inboundDm({ fromUserId: buyer.id, toUserId: account.id, text: "Is this in stock?", eventId: first.eventId });
    expect(replay).toMatchObject({ delivered: true, status: 200 });
    expect(s.sandbox.deliveries().at(-1)?.url).toBe(s.webhookUrl);

    const { rows } = await s.database.pool.query<{ id: string; kind: string; for_user_id: string }>("SELECT id, kind, for_user_id FROM webhook_events WHERE event_key = $1", [`dm:${first.eventId}`]);
    expect(rows).toEqual([{ id: expect.any(String), kind: "direct_message", for_user_id: account.id }]);
    const jobs = await s.database.pool.query("SELECT 1 FROM pgboss.job WHERE name = 'webhook.event' AND data->>'webhookEventId' = $1", [rows[0]?.id]);
    expect(jobs.rows).toHaveLength(1);
  });

  it("stores follows and read receipts X delivers", async () => {
    const { user: account } = await connectAccount(s);
    const fan = s.sandbox.addUser({ username: `fan_${randomBytes(3).toString("hex")}` });
    expect(await s.sandbox.follow({ fromUserId: fan.id, toUserId: account.id })).toMatchObject({ delivered: true, status: 200 });
    expect(await s.sandbox.read({ readerUserId: fan.id, accountUserId: account.id, lastReadEventId: eventId() })).toMatchObject({ delivered: true, status: 200 });
    const { rows } = await s.database.pool.query<{ kind: string }>("SELECT kind FROM webhook_events WHERE for_user_id = $1 ORDER BY kind", [account.id]);
    expect(rows.map((r) => r.kind)).toEqual(["direct_message_read", "follow"]);
  });
});
