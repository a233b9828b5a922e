// `pnpm dev`'s demo data (scripts/lib/demo-data.ts): run twice on a fresh database, it leaves one
// set of everything, and the API lists each kind of thing in each of its states.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData, DEMO_CONTACT_COUNT, DEMO_CAMPAIGN_NAMES, DEMO_FLOW_NAME, DEMO_CUSTOMERS, type DemoDataOptions } from "../../../scripts/lib/demo-data.ts";
import { startHarness, type Harness } from "./harness.ts";
import { connectAccount, type Success } from "./factories.ts";

let h: Harness;
let token: string;
let opts: DemoDataOptions;
const merchantId = randomUUID();
const ownerUserId = randomUUID();
const results: Awaited<ReturnType<typeof seedDemoData>>[] = [];

interface Page<T> {
  data: T[];
  pagination: { total: number };
}

const list = async <T = Record<string, unknown>>(path: string): Promise<Page<T>> => {
  const res = await h.call<Success<T[]>>("GET", path, { token });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return { data: res.body.data, pagination: { total: res.body.pagination?.total ?? res.body.data.length } };
};
const get = async <T = Record<string, unknown>>(path: string): Promise<T> => {
  const res = await h.call<Success<T>>("GET", path, { token });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.body.data;
};

beforeAll(async () => {
  h = await startHarness();
  token = await h.token({ merchantId, role: "owner", sub: ownerUserId });
  const shop = h.sandbox.addUser({ username: "goodgo_shop_test", name: "GoodGo Official" });
  const { account } = await connectAccount(h, { token, user: shop });
  opts = { databaseUrl: h.database.url, merchantId, accountId: account.id, ownerUserId, api: { base: h.base, token } };
  const started = Date.now();
  results.push(await seedDemoData(opts));
  results.push(await seedDemoData(opts));
  // fast enough for every `pnpm dev` start (a loaded 2-core machine included)
  expect(Date.now() - started).toBeLessThan(60_000);
});
afterAll(async () => {
  await h?.close();
});

describe("demo data", () => {
  it("the second run changes nothing", async () => {
    expect(results[0]).toMatchObject({ seeded: true, contacts: DEMO_CONTACT_COUNT });
    expect(results[1]).toMatchObject({ seeded: false, contacts: DEMO_CONTACT_COUNT });
    const { rows } = await h.database.pool.query<{ t: number; s: number; f: number; c: number; m: number }>(
      `SELECT (SELECT count(*) FROM templates WHERE merchant_id = $1)::int AS t, (SELECT count(*) FROM segments WHERE merchant_id = $1)::int AS s,
              (SELECT count(*) FROM flows WHERE merchant_id = $1)::int AS f, (SELECT count(*) FROM campaigns WHERE merchant_id = $1)::int AS c,
              (SELECT count(*) FROM messages WHERE merchant_id = $1)::int AS m`,
      [merchantId],
    );
    expect(rows[0]).toMatchObject({ t: 4, s: 4, f: 1, c: 2 });
    expect(rows[0]?.m).toBe(results[0]?.messages);
  });

  it("contacts: a few hundred, English and Vietnamese names, tags and attributes, the sandbox customers among them", async () => {
    const all = await list<{ username: string; displayName: string; tags: string[]; attributes: Record<string, unknown> }>("/contacts?take=100");
    expect(all.pagination.total).toBe(DEMO_CONTACT_COUNT);
    expect(all.data.some((c) => /[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửữựỳỵỷỹ]/i.test(c.displayName))).toBe(true);
    expect(all.data.every((c) => typeof c.attributes.city === "string" && typeof c.attributes.plan === "string" && typeof c.attributes.lifetime_value === "number")).toBe(true);
    for (const tag of ["vip", "newsletter", "returning"]) expect((await list(`/contacts?tags=${tag}&take=1`)).pagination.total, tag).toBeGreaterThan(0);
    for (const c of DEMO_CUSTOMERS) expect((await list(`/contacts?search=${c.username}`)).data).toEqual([expect.objectContaining({ username: c.username })]);
  });

  it("conversations in every state: open, assigned to the owner, escalated, closed", async () => {
    const open = await list<{ id: string }>("/conversations?status=open&take=100");
    const closed = await list("/conversations?status=closed&take=1");
    const mine = await list(`/conversations?assignedTo=${ownerUserId}&status=open&take=1`);
    expect(open.pagination.total).toBeGreaterThan(20);
    expect(closed.pagination.total).toBeGreaterThan(20);
    expect(mine.pagination.total).toBeGreaterThan(0);
    const { rows } = await h.database.pool.query<{ conversation_id: string }>("SELECT conversation_id FROM ai_sessions WHERE merchant_id = $1 AND escalated", [merchantId]);
    expect(rows.length).toBeGreaterThan(0);
    const escalated = await get<{ escalated: boolean; escalationReason: string | null }>(`/ai/conversations/${rows[0]?.conversation_id}/context`);
    expect(escalated).toMatchObject({ escalated: true, escalationReason: expect.any(String) });
  });

  it("messages of every origin, read through the API as it wrote them", async () => {
    const { rows } = await h.database.pool.query<{ origin: string; conversation_id: string }>(
      "SELECT DISTINCT ON (origin) origin, conversation_id FROM messages WHERE merchant_id = $1 ORDER BY origin, created_at",
      [merchantId],
    );
    expect(rows.map((r) => r.origin).sort()).toEqual(["ai", "campaign", "customer", "flow", "inbox"]);
    for (const r of rows) {
      const details = await get<{ messages: { origin: string; direction: string; status: string; isFromBot: boolean; twitterMessageId: string | null; quickReplies?: unknown; buttons?: unknown }[] }>(`/conversations/${r.conversation_id}`);
      const m = details.messages.find((x) => x.origin === r.origin);
      expect(m, r.origin).toBeDefined();
      if (r.origin === "customer") expect(m).toMatchObject({ direction: "inbound", status: "received" });
      else expect(m).toMatchObject({ direction: "outbound", status: expect.stringMatching(/^(sent|failed)$/) });
      if (r.origin === "ai") expect(m?.isFromBot).toBe(true);
      if (r.origin === "campaign") expect(m?.buttons).toEqual(expect.arrayContaining([expect.objectContaining({ label: "Shop the sale" })]));
    }
  });

  it("templates of each type, segments that match contacts", async () => {
    const templates = await list<{ type: string }>("/templates?take=100");
    expect(new Set(templates.data.map((t) => t.type))).toEqual(new Set(["text", "quick_reply", "card"]));
    const segments = await list<{ name: string; contactCount: number }>("/segments?take=100");
    expect(segments.data).toHaveLength(4);
    expect(segments.data.every((s) => s.contactCount > 0)).toBe(true);
  });

  it("a completed campaign with metrics and a scheduled one", async () => {
    const campaigns = await list<{ id: string; name: string; status: string }>("/campaigns?take=100");
    const completed = campaigns.data.find((c) => c.name === DEMO_CAMPAIGN_NAMES.completed);
    const scheduled = campaigns.data.find((c) => c.name === DEMO_CAMPAIGN_NAMES.scheduled);
    expect(completed?.status).toBe("completed");
    expect(scheduled?.status).toBe("scheduled");
    const metrics = await get<{ delivered: number; opened: number; clicked: number; replied: number; failed: number }>(`/campaigns/${completed?.id}/metrics`);
    expect(metrics.delivered).toBeGreaterThan(20);
    expect(metrics.opened).toBeGreaterThan(0);
    expect(metrics.clicked).toBeGreaterThan(0);
    expect(metrics.replied).toBeGreaterThan(0);
    expect(metrics.failed).toBeGreaterThan(0);
  });

  it("an active flow with executions, and AI settings", async () => {
    const flows = await list<{ id: string; name: string; status: string }>("/automation/flows?take=100");
    const flow = flows.data.find((f) => f.name === DEMO_FLOW_NAME);
    expect(flow?.status).toBe("active");
    const executions = await list<{ status: string }>(`/automation/flows/${flow?.id}/executions?take=100`);
    expect(executions.pagination.total).toBeGreaterThan(10);
    expect(new Set(executions.data.map((e) => e.status))).toEqual(new Set(["completed", "failed", "cancelled"]));
    expect(await get("/ai/settings")).toMatchObject({ enabled: true, systemPrompt: expect.stringContaining("GoodGo") });
  });
});
