// The segments slice as a REST client sees it: create, list, get, update, delete, preview, with
// the condition errors (by index), roles, tenancy, the 409 of segments in use and contactCount
// kept fresh on read, against a real database.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertContactWith, insertSegmentCampaign, newMerchant, type SegmentBody, type SegmentPreviewBody, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;
const SEGMENT_KEYS = ["conditions", "contactCount", "createdAt", "id", "match", "merchantId", "name", "updatedAt"];
const days = (n: number) => new Date(Date.now() - n * 86_400_000);

/** A merchant with one account, a token of the given role and an admin's token. */
async function shop(role: "owner" | "admin" | "agent" | "viewer" = "admin") {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId });
  return { merchantId, accountId, token: await h.token({ merchantId, role }), admin: await h.token({ merchantId, role: "admin" }) };
}
type Shop = Awaited<ReturnType<typeof shop>>;

/** Five contacts: two VIPs with more than five purchases who wrote this year, and three that each miss one condition. */
async function seedContacts(s: Shop) {
  const recent = days(3);
  const ids = {
    john: await insertContactWith(pool(), { ...s, username: "customer_john", displayName: "John Doe", tags: ["vip"], attributes: { purchaseCount: 8 }, lastInteractionAt: recent }),
    mary: await insertContactWith(pool(), { ...s, username: "mary", displayName: "Mary", tags: ["vip", "b2b"], attributes: { purchaseCount: 6, plan: "pro" }, lastInteractionAt: days(1) }),
    few: await insertContactWith(pool(), { ...s, username: "few", tags: ["vip"], attributes: { purchaseCount: 2 }, lastInteractionAt: recent }),
    stringy: await insertContactWith(pool(), { ...s, username: "stringy", tags: ["vip"], attributes: { purchaseCount: "9" }, lastInteractionAt: recent }),
    plain: await insertContactWith(pool(), { ...s, username: "plain", tags: [], attributes: { purchaseCount: 12 }, lastInteractionAt: recent }),
  };
  return ids;
}

const VIP_CONDITIONS = [
  { field: "tags", operator: "contains", value: "vip" },
  { field: "attributes.purchaseCount", operator: "greaterThan", value: 5 },
  { field: "lastInteractionAt", operator: "after", value: "2026-01-01T00:00:00Z" },
];

const create = (token: string, body: unknown) => h.call<Success<SegmentBody>>("POST", "/segments", { token, body });
const get = (token: string, id: string) => h.call<Success<SegmentBody>>("GET", `/segments/${id}`, { token });
const preview = (token: string, id: string, query = "") => h.call<Success<SegmentPreviewBody>>("POST", `/segments/${id}/preview${query}`, { token });
async function createdSegment(s: Shop, body: Record<string, unknown> = {}) {
  return expectSuccess(await create(s.admin, { name: "VIP Customers", conditions: VIP_CONDITIONS, ...body }));
}
async function storedSegment(id: string) {
  const { rows } = await pool().query<{ contact_count: number; counted_at: Date | null; conditions: unknown }>("SELECT contact_count, counted_at, conditions FROM segments WHERE id = $1", [id]);
  return rows[0];
}

describe("POST /segments", () => {
  it("creates the seed's example segment and counts its contacts", async () => {
    const s = await shop("owner");
    await seedContacts(s);
    const before = Date.now();
    const segment = expectSuccess(await create(s.token, { name: "VIP Customers", conditions: VIP_CONDITIONS }));
    expect(Object.keys(segment).sort()).toEqual(SEGMENT_KEYS);
    expect(segment).toMatchObject({ merchantId: s.merchantId, name: "VIP Customers", conditions: VIP_CONDITIONS, match: "all", contactCount: 2 });
    expect(Date.parse(segment.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(segment.updatedAt).toBe(segment.createdAt);
    expect(await storedSegment(segment.id)).toMatchObject({ contact_count: 2, conditions: VIP_CONDITIONS, counted_at: expect.any(Date) });
  });

  it("stores conditions normalized and ORs them with match any", async () => {
    const s = await shop();
    await seedContacts(s);
    const segment = expectSuccess(
      await create(s.token, {
        name: "  Either  ",
        match: "any",
        conditions: [
          { field: "tags", operator: "containsAny", value: [" B2B", "b2b"] },
          { field: "username", operator: "startsWith", value: "PLA" },
          { field: "displayName", operator: "exists" },
        ],
      }),
    );
    expect(segment).toMatchObject({
      name: "Either",
      match: "any",
      conditions: [
        { field: "tags", operator: "containsAny", value: ["b2b"] },
        { field: "username", operator: "startsWith", value: "PLA" },
        { field: "displayName", operator: "exists" },
      ],
      contactCount: 3, // mary (tag, name), plain (username), john (name)
    });
  });

  it("with no conditions holds every contact of the merchant, and only of the merchant", async () => {
    const s = await shop();
    const other = await shop();
    await seedContacts(s);
    await seedContacts(other);
    expect(expectSuccess(await create(s.token, { name: "Everyone", conditions: [] })).contactCount).toBe(5);
  });

  it("answers 400 with the index of each faulty condition", async () => {
    const s = await shop();
    const res = await create(s.token, {
      name: "Broken",
      conditions: [
        { field: "tags", operator: "contains", value: "vip" },
        { field: "email", operator: "equals", value: "a@b.c" },
        { field: "tags", operator: "greaterThan", value: 1 },
        { field: "attributes.purchaseCount", operator: "greaterThan", value: "5" },
        { field: "optedOut", operator: "equals", value: "false" },
      ],
    });
    const failure = expectFailure(res, 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({
      field: "conditions.1.field",
      reason: expect.stringContaining("unknown field"),
      issues: [
        { index: 1, field: "conditions.1.field", reason: expect.stringContaining("unknown field") },
        { index: 2, field: "conditions.2.operator", reason: expect.stringContaining("unknown operator") },
        { index: 3, field: "conditions.3.value", reason: expect.stringContaining("number") },
        { index: 4, field: "conditions.4.value", reason: expect.stringContaining("boolean") },
      ],
    });
    expect(failure.error).toContain("conditions.1.field");
    const { rows } = await pool().query("SELECT 1 FROM segments WHERE merchant_id = $1", [s.merchantId]);
    expect(rows).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["a missing name", { conditions: [] }, "name"],
    ["a blank name", { name: "   ", conditions: [] }, "name"],
    ["missing conditions", { name: "x" }, "conditions"],
    ["conditions that are not an array", { name: "x", conditions: { field: "tags" } }, "conditions"],
    ["an unknown match mode", { name: "x", conditions: [], match: "some" }, "match"],
    ["an unknown body field", { name: "x", conditions: [], color: "red" }, "color"],
  ])("answers 400 for %s", async (_what, body, field) => {
    const s = await shop();
    expect(detailFields(expectFailure(await create(s.token, body), 400, "VALIDATION_ERROR"))).toContain(field);
  });

  it("is for admins and owners: agents and viewers get 403, no token 401", async () => {
    const s = await shop();
    for (const role of ["agent", "viewer"] as const) {
      expectFailure(await create(await h.token({ merchantId: s.merchantId, role }), { name: "x", conditions: [] }), 403, "FORBIDDEN");
    }
    expectFailure(await h.call("POST", "/segments", { token: null, body: { name: "x", conditions: [] } }), 401, "UNAUTHORIZED");
  });
});

describe("GET /segments", () => {
  it("lists the merchant's segments newest first with skip/take pagination", async () => {
    const s = await shop("viewer");
    const names = ["first", "second", "third"];
    const ids: string[] = [];
    for (const name of names) ids.push((await createdSegment(s, { name })).id);
    await createdSegment(await shop(), { name: "someone else's" });

    const res = await h.call<Success<SegmentBody[]>>("GET", "/segments?skip=0&take=2", { token: s.token });
    const page = expectSuccess(res);
    expect(res.body.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    expect(page.map((x) => x.name)).toEqual(["third", "second"]);
    for (const item of page) expect(Object.keys(item).sort()).toEqual(SEGMENT_KEYS);
    const rest = await h.call<Success<SegmentBody[]>>("GET", "/segments?skip=2&take=2", { token: s.token });
    expect(expectSuccess(rest).map((x) => x.id)).toEqual([ids[0]]);
    expect(rest.body.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
  });

  it("counts each listed segment afresh", async () => {
    const s = await shop();
    const segment = await createdSegment(s);
    expect(segment.contactCount).toBe(0);
    await seedContacts(s);
    const listed = expectSuccess(await h.call<Success<SegmentBody[]>>("GET", "/segments", { token: s.token }));
    expect(listed.map((x) => [x.id, x.contactCount])).toEqual([[segment.id, 2]]);
    // a read writes nothing: the stored figure is the one of the last write
    expect((await storedSegment(segment.id))?.contact_count).toBe(0);
  });

  it("refuses a take above 100", async () => {
    const s = await shop();
    expectFailure(await h.call("GET", "/segments?take=101", { token: s.token }), 400, "VALIDATION_ERROR");
  });
});

describe("GET /segments/{segmentId}", () => {
  it("answers the segment with contactCount kept fresh after contacts change", async () => {
    const s = await shop("viewer");
    const ids = await seedContacts(s);
    const segment = await createdSegment(s);
    expect(segment.contactCount).toBe(2);
    const countedAt = (await storedSegment(segment.id))?.counted_at;

    await insertContactWith(pool(), { ...s, tags: ["vip"], attributes: { purchaseCount: 30 }, lastInteractionAt: days(0) });
    await pool().query("UPDATE contacts SET tags = '{}' WHERE id = $1", [ids.mary]);
    await pool().query(`UPDATE contacts SET attributes = '{"purchaseCount": 7}' WHERE id = $1`, [ids.few]);
    await pool().query("DELETE FROM contacts WHERE id = $1", [ids.john]);
    // john and mary out, the new one and few in
    const fresh = expectSuccess(await get(s.token, segment.id));
    expect(fresh).toEqual({ ...segment, contactCount: 2 });
    await insertContactWith(pool(), { ...s, tags: ["VIP", "vip"], attributes: { purchaseCount: 6 }, lastInteractionAt: days(2) });
    expect(expectSuccess(await get(s.token, segment.id)).contactCount).toBe(3);
    // the viewer's reads wrote nothing
    const stored = await storedSegment(segment.id);
    expect(stored?.contact_count).toBe(2);
    expect(stored?.counted_at?.getTime()).toBe(countedAt?.getTime());
  });

  it("answers 404 for unknown ids, non-UUIDs and another merchant's segment", async () => {
    const a = await shop();
    const b = await shop("owner");
    const segment = await createdSegment(a);
    expectFailure(await get(b.token, segment.id), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await get(a.token, randomUUID()), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await get(a.token, "not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("PUT /segments/{segmentId}", () => {
  it("renames and keeps the rest; new conditions replace the old and are counted", async () => {
    const s = await shop();
    await seedContacts(s);
    const segment = await createdSegment(s);

    const renamed = expectSuccess(await h.call<Success<SegmentBody>>("PUT", `/segments/${segment.id}`, { token: s.token, body: { name: "Updated VIP Customers" } }));
    expect(renamed).toMatchObject({ id: segment.id, name: "Updated VIP Customers", conditions: VIP_CONDITIONS, match: "all", contactCount: 2, createdAt: segment.createdAt });
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(segment.updatedAt));

    const conditions = [{ field: "tags", operator: "containsAll", value: ["vip", "b2b"] }];
    const changed = expectSuccess(await h.call<Success<SegmentBody>>("PUT", `/segments/${segment.id}`, { token: s.token, body: { name: "B2B VIPs", conditions } }));
    expect(changed).toMatchObject({ name: "B2B VIPs", conditions, contactCount: 1 });

    const any = expectSuccess(await h.call<Success<SegmentBody>>("PUT", `/segments/${segment.id}`, { token: s.token, body: { conditions: VIP_CONDITIONS, match: "any" } }));
    expect(any).toMatchObject({ match: "any", contactCount: 5 });
    expect(expectSuccess(await get(s.token, segment.id))).toEqual(any);
  });

  it("answers 400 with the condition index and changes nothing", async () => {
    const s = await shop();
    const segment = await createdSegment(s);
    const res = await h.call("PUT", `/segments/${segment.id}`, { token: s.token, body: { name: "x", conditions: [VIP_CONDITIONS[0], { field: "lastInteractionAt", operator: "withinLastDays", value: 0 }] } });
    expect(expectFailure(res, 400, "VALIDATION_ERROR").details).toEqual({ field: "conditions.1.value", reason: expect.any(String), issues: [{ index: 1, field: "conditions.1.value", reason: expect.any(String) }] });
    expect(expectSuccess(await get(s.token, segment.id)).name).toBe("VIP Customers");
  });

  it("answers 404 for another merchant's segment and 403 for agents", async () => {
    const a = await shop();
    const b = await shop();
    const segment = await createdSegment(a);
    expectFailure(await h.call("PUT", `/segments/${segment.id}`, { token: b.token, body: { name: "mine" } }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("PUT", `/segments/not-a-uuid`, { token: a.token, body: { name: "mine" } }), 404, "RESOURCE_NOT_FOUND");
    const agent = await h.token({ merchantId: a.merchantId, role: "agent" });
    expectFailure(await h.call("PUT", `/segments/${segment.id}`, { token: agent, body: { name: "mine" } }), 403, "FORBIDDEN");
    expect(expectSuccess(await get(a.token, segment.id)).name).toBe("VIP Customers");
  });
});

describe("DELETE /segments/{segmentId}", () => {
  it("deletes a segment", async () => {
    const s = await shop("owner");
    const segment = await createdSegment(s);
    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/segments/${segment.id}`, { token: s.token }))).toBeNull();
    expectFailure(await get(s.token, segment.id), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/segments/${segment.id}`, { token: s.token }), 404, "RESOURCE_NOT_FOUND");
  });

  it.each(["scheduled", "running", "paused"])("answers 409 while a %s campaign uses it, naming the campaigns", async (status) => {
    const s = await shop();
    const segment = await createdSegment(s);
    const active = await insertSegmentCampaign(pool(), { merchantId: s.merchantId, segmentIds: [segment.id], status });
    const draft = await insertSegmentCampaign(pool(), { merchantId: s.merchantId, segmentIds: [segment.id], status: "draft" });
    const failure = expectFailure(await h.call("DELETE", `/segments/${segment.id}`, { token: s.token }), 409, "CONFLICT");
    expect(failure.details).toMatchObject({ field: "segmentId", campaignIds: [active] });
    expectSuccess(await get(s.token, segment.id));
    const { rows } = await pool().query("SELECT campaign_id FROM campaign_segments WHERE segment_id = $1 ORDER BY campaign_id", [segment.id]);
    expect(rows.map((r: { campaign_id: string }) => r.campaign_id)).toEqual([active, draft].sort());
  });

  it("unlinks draft, completed and cancelled campaigns and deletes", async () => {
    const s = await shop();
    const segment = await createdSegment(s);
    const keep = await createdSegment(s, { name: "kept" });
    const campaigns: string[] = [];
    for (const status of ["draft", "completed", "cancelled"]) campaigns.push(await insertSegmentCampaign(pool(), { merchantId: s.merchantId, segmentIds: [segment.id, keep.id], status }));
    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/segments/${segment.id}`, { token: s.token }))).toBeNull();
    const links = await pool().query<{ segment_id: string }>("SELECT DISTINCT segment_id FROM campaign_segments WHERE campaign_id = ANY($1::uuid[])", [campaigns]);
    expect(links.rows).toEqual([{ segment_id: keep.id }]);
    const left = await pool().query("SELECT id FROM campaigns WHERE id = ANY($1::uuid[])", [campaigns]);
    expect(left.rows).toHaveLength(3);
  });

  it("answers 404 for another merchant's segment and 403 for viewers", async () => {
    const a = await shop();
    const b = await shop();
    const segment = await createdSegment(a);
    expectFailure(await h.call("DELETE", `/segments/${segment.id}`, { token: b.token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/segments/${segment.id}`, { token: await h.token({ merchantId: a.merchantId, role: "viewer" }) }), 403, "FORBIDDEN");
    expectSuccess(await get(a.token, segment.id));
  });
});

describe("POST /segments/{segmentId}/preview", () => {
  it("answers totalMatches and the matching contacts in the seed's shape, most recent first", async () => {
    const s = await shop("viewer");
    const ids = await seedContacts(s);
    const segment = await createdSegment(s);
    const data = expectSuccess(await preview(s.token, segment.id));
    expect(data.totalMatches).toBe(2);
    expect(data.preview).toEqual([
      { id: ids.mary, username: "mary", displayName: "Mary", tags: ["vip", "b2b"], attributes: { purchaseCount: 6, plan: "pro" } },
      { id: ids.john, username: "customer_john", displayName: "John Doe", tags: ["vip"], attributes: { purchaseCount: 8 } },
    ]);
  });

  it("shows 10 by default, ?limit= up to 50, and refuses other limits", async () => {
    const s = await shop();
    for (let i = 0; i < 55; i++) await insertContactWith(pool(), { ...s, tags: ["bulk"], lastInteractionAt: days(i) });
    const segment = await createdSegment(s, { conditions: [{ field: "tags", operator: "contains", value: "bulk" }] });
    const byDefault = expectSuccess(await preview(s.token, segment.id));
    expect([byDefault.totalMatches, byDefault.preview.length]).toEqual([55, 10]);
    expect(expectSuccess(await preview(s.token, segment.id, "?limit=3")).preview).toHaveLength(3);
    expect(expectSuccess(await preview(s.token, segment.id, "?limit=50")).preview).toHaveLength(50);
    for (const limit of ["51", "0", "-1", "abc", "2.5"]) {
      const failure = expectFailure(await preview(s.token, segment.id, `?limit=${limit}`), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), limit).toContain("limit");
    }
  });

  it("counts afresh and writes nothing (a read)", async () => {
    const s = await shop();
    const segment = await createdSegment(s);
    await seedContacts(s);
    const before = await storedSegment(segment.id);
    expect(expectSuccess(await preview(s.token, segment.id)).totalMatches).toBe(2);
    expect(await storedSegment(segment.id)).toEqual(before);
  });

  it("answers 404 for another merchant's segment and non-UUIDs", async () => {
    const a = await shop();
    const b = await shop();
    const segment = await createdSegment(a);
    expectFailure(await preview(b.token, segment.id), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await preview(a.token, "nope"), 404, "RESOURCE_NOT_FOUND");
  });

  it("takes limit in the input over tRPC", async () => {
    const s = await shop();
    await seedContacts(s);
    const segment = await createdSegment(s, { conditions: [] });
    const res = await h.call<{ result: { data: SegmentPreviewBody } }>("POST", `${h.url}/trpc/segments.preview`, { token: s.token, body: { segmentId: segment.id, limit: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.result.data).toMatchObject({ totalMatches: 5, preview: [expect.objectContaining({ id: expect.any(String) })] });
    expect(res.body.result.data.preview).toHaveLength(1);
  });
});

describe("OpenAPI", () => {
  it("documents every segment operation of the seed", async () => {
    const doc = (await h.call<{ paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json", { token: null })).body;
    expect(Object.keys(doc.paths["/segments"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/segments/{segmentId}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(doc.paths["/segments/{segmentId}/preview"] ?? {})).toEqual(["post"]);
  });
});
