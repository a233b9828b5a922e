// The analytics slice as a REST client sees it: exact numbers over a small hand-built data set
// (rows outside the period and another merchant's rows must not count), the account filter,
// validation of the query and roles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, newMerchant, randomXUserId, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
const pool = () => h.database.pool;

const M = newMerchant();
const OTHER = newMerchant();
const ids = { a1: "", a2: "", other: "", c1: "", c2: "", c3: "", k1: "", k2: "", k5: "", f1: "", f2: "", f4: "" };
const PERIOD = "startDate=2026-01-10&endDate=2026-01-20";

async function one(sql: string, params: unknown[]): Promise<string> {
  const { rows } = await pool().query<{ id: string }>(sql, params);
  const id = rows[0]?.id;
  if (!id) throw new Error("insert returned no row");
  return id;
}
const contact = (merchantId: string, accountId: string, createdAt: string, lastAt: string | null) =>
  one(
    `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, created_at, last_interaction_at, updated_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`,
    [merchantId, accountId, randomXUserId(), createdAt, lastAt],
  );
const conversation = (merchantId: string, accountId: string, contactId: string, startedAt: string, status: "open" | "closed") =>
  one(`INSERT INTO conversations (merchant_id, account_id, contact_id, status, started_at, updated_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`, [merchantId, accountId, contactId, status, startedAt]);
const message = (
  merchantId: string,
  accountId: string,
  contactId: string,
  conversationId: string,
  direction: "inbound" | "outbound",
  at: string,
  opts: { status?: string; campaignId?: string; readAt?: string } = {},
) => {
  const status = opts.status ?? (direction === "inbound" ? "received" : "sent");
  return one(
    `INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, campaign_id, read_at, created_at, sent_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'hi', $6, $7, $8, $9, $10, $9) RETURNING id`,
    [merchantId, accountId, conversationId, contactId, direction, status, opts.campaignId ?? null, opts.readAt ?? null, at, direction === "outbound" && status === "sent" ? at : null],
  );
};
const campaign = (merchantId: string, accountId: string | null, name: string, status: string, startedAt: string | null, completedAt: string | null) =>
  one(`INSERT INTO campaigns (merchant_id, name, type, status, account_id, started_at, completed_at) VALUES ($1, $2, 'promotional', $3, $4, $5, $6) RETURNING id`, [
    merchantId,
    name,
    status,
    accountId,
    startedAt,
    completedAt,
  ]);
const recipient = (merchantId: string, campaignId: string, contactId: string, status: string, messageId: string, clickedAt: string | null) =>
  one(`INSERT INTO campaign_recipients (merchant_id, campaign_id, contact_id, status, message_id, clicked_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [
    merchantId,
    campaignId,
    contactId,
    status,
    messageId,
    clickedAt,
  ]);
const flow = (merchantId: string, name: string, status: string) =>
  one(`INSERT INTO flows (merchant_id, name, status, trigger) VALUES ($1, $2, $3, '{"type":"new_follower","config":{}}') RETURNING id`, [merchantId, name, status]);
let triggerSeq = 0;
const execution = (merchantId: string, flowId: string, contactId: string, status: string, startedAt: string) =>
  one(`INSERT INTO flow_executions (merchant_id, flow_id, contact_id, status, trigger_key, started_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [
    merchantId,
    flowId,
    contactId,
    status,
    `t${++triggerSeq}`,
    startedAt,
  ]);

beforeAll(async () => {
  h = await startHarness();
  ids.a1 = await insertAccount(pool(), { merchantId: M });
  ids.a2 = await insertAccount(pool(), { merchantId: M });
  ids.other = await insertAccount(pool(), { merchantId: OTHER });
  const { a1, a2, other } = ids;

  // contacts: total at end 3 (c4 comes later), new 2 (c2, c3), active 2 (c1, c2)
  ids.c1 = await contact(M, a1, "2026-01-05T10:00:00Z", "2026-01-12T10:00:00Z");
  ids.c2 = await contact(M, a1, "2026-01-11T08:00:00Z", "2026-01-11T09:30:00Z");
  ids.c3 = await contact(M, a2, "2026-01-15T12:00:00Z", "2026-01-25T12:00:00Z");
  await contact(M, a1, "2026-01-25T00:00:00Z", null);
  const oc = await contact(OTHER, other, "2026-01-12T00:00:00Z", "2026-01-12T00:00:00Z");
  const { c1, c2, c3 } = ids;

  // conversations started in the period: v1 (open), v2 (closed); v3 and v4 started before it
  const v1 = await conversation(M, a1, c1, "2026-01-12T10:00:00Z", "open");
  const v2 = await conversation(M, a1, c2, "2026-01-11T09:00:00Z", "closed");
  const v3 = await conversation(M, a2, c3, "2026-01-09T12:00:00Z", "open");
  const v4 = await conversation(M, a1, c1, "2026-01-01T00:00:00Z", "closed");
  const ov = await conversation(OTHER, other, oc, "2026-01-12T00:00:00Z", "open");

  // turns: v1 330 s (the second inbound continues the turn), v2 600 s and 600 s (a failed send is no reply), v3 180 s
  await message(M, a1, c1, v1, "inbound", "2026-01-12T10:00:00Z");
  await message(M, a1, c1, v1, "inbound", "2026-01-12T10:01:00Z");
  await message(M, a1, c1, v1, "outbound", "2026-01-12T10:05:30Z");
  await message(M, a1, c2, v2, "inbound", "2026-01-11T09:00:00Z");
  await message(M, a1, c2, v2, "outbound", "2026-01-11T09:10:00Z");
  await message(M, a1, c2, v2, "inbound", "2026-01-11T09:20:00Z");
  await message(M, a1, c2, v2, "outbound", "2026-01-11T09:21:00Z", { status: "failed" });
  await message(M, a1, c2, v2, "outbound", "2026-01-11T09:30:00Z");
  await message(M, a2, c3, v3, "inbound", "2026-01-15T12:00:00Z");
  await message(M, a2, c3, v3, "outbound", "2026-01-15T12:03:00Z");
  // after the period: neither counted nor timed
  await message(M, a1, c1, v1, "inbound", "2026-01-21T08:00:00Z");
  await message(M, a1, c1, v1, "outbound", "2026-01-21T08:00:05Z");
  // another merchant: a fast reply that must not pull the average
  await message(OTHER, other, oc, ov, "inbound", "2026-01-12T00:00:00Z");
  await message(OTHER, other, oc, ov, "outbound", "2026-01-12T00:00:01Z");

  // campaigns: active now k2, k3, k5; completed in the period k1; k4 completed before it
  ids.k1 = await campaign(M, a1, "January sale", "completed", "2026-01-13T00:00:00Z", "2026-01-14T00:00:00Z");
  ids.k2 = await campaign(M, a1, "Running", "running", "2026-01-16T00:00:00Z", null);
  await campaign(M, null, "Scheduled", "scheduled", null, null);
  const k4 = await campaign(M, a2, "December", "completed", "2025-12-01T00:00:00Z", "2025-12-05T00:00:00Z");
  ids.k5 = await campaign(M, a1, "Paused", "paused", "2026-01-02T00:00:00Z", null);
  await campaign(OTHER, other, "Theirs", "running", "2026-01-12T00:00:00Z", null);
  const sent = await message(M, a1, c1, v4, "outbound", "2026-01-13T01:00:00Z", { campaignId: ids.k1, readAt: "2026-01-13T02:00:00Z" });
  const failed = await message(M, a1, c2, v4, "outbound", "2026-01-13T01:00:00Z", { campaignId: ids.k1, status: "failed" });
  await recipient(M, ids.k1, c1, "sent", sent, "2026-01-13T03:00:00Z");
  await recipient(M, ids.k1, c2, "failed", failed, null);
  await message(M, a2, c3, v3, "outbound", "2025-12-02T00:00:00Z", { campaignId: k4 });

  // flows: f1, f4 active; f2 inactive but ran in the period; f3 draft, never ran
  ids.f1 = await flow(M, "Welcome", "active");
  ids.f2 = await flow(M, "Old", "inactive");
  await flow(M, "Draft", "draft");
  ids.f4 = await flow(M, "Zeta", "active");
  const of = await flow(OTHER, "Theirs", "active");
  await execution(M, ids.f1, c1, "completed", "2026-01-12T10:00:00Z");
  await execution(M, ids.f1, c2, "running", "2026-01-15T10:00:00Z");
  await execution(M, ids.f1, c3, "failed", "2026-01-16T10:00:00Z");
  await execution(M, ids.f1, c1, "completed", "2026-01-25T10:00:00Z");
  await execution(M, ids.f2, c2, "cancelled", "2026-01-11T10:00:00Z");
  await execution(OTHER, of, oc, "completed", "2026-01-12T10:00:00Z");
});
afterAll(async () => {
  await h?.close();
});

const get = async <T>(path: string, opts: { role?: "owner" | "viewer"; merchantId?: string } = {}) =>
  expectSuccess(await h.call<Success<T>>("GET", path, { token: await h.token({ merchantId: opts.merchantId ?? M, role: opts.role ?? "owner" }) }));

interface Overview {
  period: { startDate: string; endDate: string };
  contacts: { total: number; new: number; active: number };
  conversations: { total: number; open: number; closed: number; averageResponseTime: string | null };
  campaigns: { active: number; completed: number; totalMessagesSent: number };
  automation: { activeFlows: number; totalExecutions: number };
}
interface Series<R> {
  period: { startDate: string; endDate: string };
  groupBy: string;
  series: R[];
}
interface ContactsBody extends Series<{ period: string; new: number; active: number }> {
  total: number;
  new: number;
  active: number;
}
interface ConversationsBody extends Series<{ period: string; started: number; inbound: number; outbound: number }> {
  total: number;
  open: number;
  closed: number;
  averageResponseTime: string | null;
  messages: { inbound: number; outbound: number };
}
interface CampaignRow {
  id: string;
  name: string;
  status: string;
  totalSent: number;
  delivered: number;
  opened: number;
  clicked: number;
  replied: number;
  failed: number;
  openRate: number;
  clickRate: number;
  replyRate: number;
  deliveryRate: number;
}
interface AutomationBody {
  activeFlows: number;
  totalExecutions: number;
  flows: { id: string; name: string; status: string; executions: number; completed: number; failed: number; running: number; cancelled: number }[];
}

describe("GET /analytics/overview", () => {
  it("counts the merchant's rows in the period, whole UTC days", async () => {
    const o = await get<Overview>(`/analytics/overview?${PERIOD}`);
    expect(o).toEqual({
      period: { startDate: "2026-01-10T00:00:00.000Z", endDate: "2026-01-20T23:59:59.999Z" },
      contacts: { total: 3, new: 2, active: 2 },
      conversations: { total: 2, open: 1, closed: 1, averageResponseTime: "7m 8s" }, // (330 + 600 + 600 + 180) / 4 = 427.5 s
      campaigns: { active: 3, completed: 1, totalMessagesSent: 1 },
      automation: { activeFlows: 2, totalExecutions: 4 },
    });
  });

  it("accepts date-times and narrows to one account", async () => {
    const o = await get<Overview>(`/analytics/overview?startDate=2026-01-10T00:00:00Z&endDate=2026-01-20T23:59:59%2B00:00&accountId=${ids.a1}`);
    expect(o.period).toEqual({ startDate: "2026-01-10T00:00:00.000Z", endDate: "2026-01-20T23:59:59.000Z" });
    expect(o.contacts).toEqual({ total: 2, new: 1, active: 2 });
    expect(o.conversations).toEqual({ total: 2, open: 1, closed: 1, averageResponseTime: "8m 30s" }); // (330 + 600 + 600) / 3
    expect(o.campaigns).toEqual({ active: 2, completed: 1, totalMessagesSent: 1 });
    expect(o.automation).toEqual({ activeFlows: 2, totalExecutions: 3 });
  });

  it("answers zeros for another merchant's account, never its data", async () => {
    const o = await get<Overview>(`/analytics/overview?${PERIOD}&accountId=${ids.other}`);
    expect(o.contacts).toEqual({ total: 0, new: 0, active: 0 });
    expect(o.conversations).toEqual({ total: 0, open: 0, closed: 0, averageResponseTime: null });
    expect(o.campaigns).toEqual({ active: 0, completed: 0, totalMessagesSent: 0 });
    expect(o.automation).toEqual({ activeFlows: 0, totalExecutions: 0 });
  });

  it("answers an empty period with null response time, and other merchants only their rows", async () => {
    const empty = await get<Overview>("/analytics/overview?startDate=2024-01-01&endDate=2024-01-31");
    expect(empty.conversations.averageResponseTime).toBeNull();
    expect(empty.contacts).toEqual({ total: 0, new: 0, active: 0 });
    const theirs = await get<Overview>(`/analytics/overview?${PERIOD}`, { merchantId: OTHER });
    expect(theirs.contacts).toEqual({ total: 1, new: 1, active: 1 });
    expect(theirs.conversations.averageResponseTime).toBe("1s");
    expect(theirs.automation).toEqual({ activeFlows: 1, totalExecutions: 1 });
  });

  it("is allowed to viewers and refuses a missing token", async () => {
    await get<Overview>(`/analytics/overview?${PERIOD}`, { role: "viewer" });
    expectFailure(await h.call("GET", `/analytics/overview?${PERIOD}`, { token: null }), 401, "UNAUTHORIZED");
    for (const path of ["/analytics/contacts", "/analytics/conversations", "/analytics/campaigns", "/analytics/automation"]) {
      expectFailure(await h.call("GET", path, { token: null }), 401, "UNAUTHORIZED");
      await get(path, { role: "viewer" });
    }
  });

  it.each([
    ["a missing startDate", "endDate=2026-01-20"],
    ["a missing endDate", "startDate=2026-01-10"],
    ["no dates", ""],
    ["an unparsable date", "startDate=yesterday&endDate=2026-01-20"],
    ["an impossible day", "startDate=2026-02-30&endDate=2026-03-01"],
    ["a month 13", "startDate=2026-01-10&endDate=2026-13-01"],
    ["a date-time without a zone", "startDate=2026-01-10T00:00:00&endDate=2026-01-20"],
    ["start after end", "startDate=2026-01-21&endDate=2026-01-20"],
    ["a malformed accountId", `${PERIOD}&accountId=nope`],
  ])("answers 400 VALIDATION_ERROR to %s", async (_, query) => {
    expectFailure(await h.call("GET", `/analytics/overview?${query}`, { token: await h.token({ merchantId: M }) }), 400, "VALIDATION_ERROR");
  });

  it("takes a single day as a period", async () => {
    const o = await get<Overview>("/analytics/overview?startDate=2026-01-11&endDate=2026-01-11");
    expect(o.contacts).toEqual({ total: 2, new: 1, active: 1 });
    expect(o.conversations).toEqual({ total: 1, open: 0, closed: 1, averageResponseTime: "10m" });
  });
});

describe("GET /analytics/contacts", () => {
  it("answers totals and a daily series by default", async () => {
    const c = await get<ContactsBody>(`/analytics/contacts?${PERIOD}`);
    expect(c).toMatchObject({ groupBy: "day", total: 3, new: 2, active: 2 });
    expect(c.series).toHaveLength(11);
    expect(c.series[0]).toEqual({ period: "2026-01-10", new: 0, active: 0 });
    expect(c.series.filter((s) => s.new > 0 || s.active > 0)).toEqual([
      { period: "2026-01-11", new: 1, active: 1 },
      { period: "2026-01-12", new: 0, active: 1 },
      { period: "2026-01-15", new: 1, active: 0 },
    ]);
  });

  it("groups by week (from Monday) and month", async () => {
    const w = await get<ContactsBody>(`/analytics/contacts?${PERIOD}&groupBy=week`);
    expect(w.series).toEqual([
      { period: "2026-01-05", new: 1, active: 1 },
      { period: "2026-01-12", new: 1, active: 1 },
      { period: "2026-01-19", new: 0, active: 0 },
    ]);
    const m = await get<ContactsBody>(`/analytics/contacts?${PERIOD}&groupBy=month&accountId=${ids.a2}`);
    expect(m).toMatchObject({ groupBy: "month", total: 1, new: 1, active: 0, series: [{ period: "2026-01-01", new: 1, active: 0 }] });
  });

  it("defaults to the last 30 days", async () => {
    const c = await get<ContactsBody>("/analytics/contacts");
    const span = new Date(c.period.endDate).getTime() - new Date(c.period.startDate).getTime();
    expect(span).toBe(30 * 86_400_000);
    expect(Math.abs(new Date(c.period.endDate).getTime() - Date.now())).toBeLessThan(60_000);
    expect(c.series).toHaveLength(31);
  });

  it.each([
    ["a bad groupBy", `${PERIOD}&groupBy=year`],
    ["start after end", "startDate=2026-02-01&endDate=2026-01-01"],
    ["a malformed accountId", "accountId=123"],
    ["too many daily buckets", "startDate=2020-01-01&endDate=2026-01-01"],
  ])("answers 400 to %s", async (_, query) => {
    expectFailure(await h.call("GET", `/analytics/contacts?${query}`, { token: await h.token({ merchantId: M }) }), 400, "VALIDATION_ERROR");
  });
});

describe("GET /analytics/conversations", () => {
  it("answers conversations, messages, the response time and a series", async () => {
    const c = await get<ConversationsBody>(`/analytics/conversations?${PERIOD}`);
    expect(c).toMatchObject({ groupBy: "day", total: 2, open: 1, closed: 1, averageResponseTime: "7m 8s", messages: { inbound: 5, outbound: 5 } });
    expect(c.series.filter((s) => s.started + s.inbound + s.outbound > 0)).toEqual([
      { period: "2026-01-11", started: 1, inbound: 2, outbound: 2 },
      { period: "2026-01-12", started: 1, inbound: 2, outbound: 1 },
      { period: "2026-01-13", started: 0, inbound: 0, outbound: 1 },
      { period: "2026-01-15", started: 0, inbound: 1, outbound: 1 },
    ]);
    const a2 = await get<ConversationsBody>(`/analytics/conversations?${PERIOD}&groupBy=month&accountId=${ids.a2}`);
    expect(a2).toMatchObject({ total: 0, averageResponseTime: "3m", messages: { inbound: 1, outbound: 1 }, series: [{ period: "2026-01-01", started: 0, inbound: 1, outbound: 1 }] });
  });
});

describe("GET /analytics/campaigns", () => {
  it("lists the campaigns that ran in the period with their metrics", async () => {
    const c = await get<{ campaigns: CampaignRow[] }>(`/analytics/campaigns?${PERIOD}`);
    expect(c.campaigns.map((k) => k.name)).toEqual(["Running", "January sale", "Paused"]);
    expect(c.campaigns[1]).toMatchObject({
      id: ids.k1,
      status: "completed",
      totalSent: 2,
      delivered: 1,
      opened: 1,
      clicked: 1,
      replied: 0,
      failed: 1,
      openRate: 1,
      clickRate: 1,
      replyRate: 0,
      deliveryRate: 0.5,
    });
    expect(c.campaigns[0]).toMatchObject({ totalSent: 0, openRate: 0, deliveryRate: 0 });
  });

  it("filters by campaign and account, never another merchant's", async () => {
    const one = await get<{ campaigns: CampaignRow[] }>(`/analytics/campaigns?campaignId=${ids.k1}`);
    expect(one.campaigns.map((k) => k.id)).toEqual([ids.k1]);
    expect((await get<{ campaigns: CampaignRow[] }>(`/analytics/campaigns?${PERIOD}&accountId=${ids.a2}`)).campaigns).toEqual([]);
    expect((await get<{ campaigns: CampaignRow[] }>(`/analytics/campaigns?campaignId=${ids.k1}`, { merchantId: OTHER })).campaigns).toEqual([]);
    expectFailure(await h.call("GET", "/analytics/campaigns?campaignId=x", { token: await h.token({ merchantId: M }) }), 400, "VALIDATION_ERROR");
  });
});

describe("GET /analytics/automation", () => {
  it("answers active flows and executions in the period by status", async () => {
    const a = await get<AutomationBody>(`/analytics/automation?${PERIOD}`);
    expect(a).toMatchObject({ activeFlows: 2, totalExecutions: 4 });
    expect(a.flows).toEqual([
      { id: ids.f1, name: "Welcome", status: "active", executions: 3, completed: 1, failed: 1, running: 1, cancelled: 0 },
      { id: ids.f2, name: "Old", status: "inactive", executions: 1, completed: 0, failed: 0, running: 0, cancelled: 1 },
      { id: ids.f4, name: "Zeta", status: "active", executions: 0, completed: 0, failed: 0, running: 0, cancelled: 0 },
    ]);
    const byAccount = await get<AutomationBody>(`/analytics/automation?${PERIOD}&accountId=${ids.a1}`);
    expect(byAccount).toMatchObject({ activeFlows: 2, totalExecutions: 3 });
    const foreign = await get<AutomationBody>(`/analytics/automation?${PERIOD}&accountId=${ids.other}`);
    expect(foreign).toMatchObject({ activeFlows: 0, totalExecutions: 0, flows: [] });
  });
});
