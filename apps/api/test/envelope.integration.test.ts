// The seed's envelope on every REST response, pagination from skip/take, and bad input that is
// always a 4xx JSON envelope: never a 500, never a stack trace.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, newMerchant, type AccountBody, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectNoInternals, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("pagination (skip/take)", () => {
  const TOTAL = 45;
  const merchantId = newMerchant();
  let token: string;
  let expectedOrder: string[];

  beforeAll(async () => {
    token = await h.token({ merchantId, role: "viewer" });
    const start = Date.UTC(2026, 0, 1);
    const ids: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < TOTAL; i++) {
      const at = start + i * 60_000;
      ids.push({ id: await insertAccount(h.database.pool, { merchantId, connectedAt: new Date(at) }), at });
    }
    // newest connection first
    expectedOrder = ids.sort((a, b) => b.at - a.at).map((x) => x.id);
    // noise from another merchant
    await insertAccount(h.database.pool, { merchantId: newMerchant() });
  });

  const page = (query: string) => h.call<Success<AccountBody[]>>("GET", `/accounts${query}`, { token });

  it("defaults to take=20 from the start", async () => {
    const res = await page("");
    const data = expectSuccess(res);
    expect(res.body).toEqual({ success: true, data, pagination: { page: 1, limit: 20, total: TOTAL, totalPages: 3 } });
    expect(data.map((a) => a.id)).toEqual(expectedOrder.slice(0, 20));
  });

  it("answers page 3 for skip=40&take=20, with the last 5 accounts", async () => {
    const res = await page("?skip=40&take=20");
    const data = expectSuccess(res);
    expect(res.body.pagination).toEqual({ page: 3, limit: 20, total: TOTAL, totalPages: 3 });
    expect(data.map((a) => a.id)).toEqual(expectedOrder.slice(40));
  });

  it("walks every account exactly once across pages", async () => {
    const seen: string[] = [];
    for (let skip = 0; skip < TOTAL; skip += 10) {
      const res = await page(`?skip=${skip}&take=10`);
      expect(res.body.pagination).toEqual({ page: skip / 10 + 1, limit: 10, total: TOTAL, totalPages: 5 });
      seen.push(...expectSuccess(res).map((a) => a.id));
    }
    expect(seen).toEqual(expectedOrder);
  });

  it("accepts take=100 (the maximum) and answers everything on one page", async () => {
    const res = await page("?take=100");
    expect(expectSuccess(res)).toHaveLength(TOTAL);
    expect(res.body.pagination).toEqual({ page: 1, limit: 100, total: TOTAL, totalPages: 1 });
  });

  it("answers an empty page past the end, still with the totals", async () => {
    const res = await page("?skip=100&take=20");
    expect(expectSuccess(res)).toEqual([]);
    expect(res.body.pagination).toEqual({ page: 6, limit: 20, total: TOTAL, totalPages: 3 });
  });

  it.each([
    ["take=101", "take"],
    ["take=0", "take"],
    ["take=-5", "take"],
    ["take=abc", "take"],
    ["take=2.5", "take"],
    ["skip=-1", "skip"],
    ["skip=ten", "skip"],
  ])("refuses %s with 400 VALIDATION_ERROR on %s", async (query, field) => {
    const failure = expectFailure(await page(`?${query}`), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual([field]);
  });
});

describe("success envelope", () => {
  it("wraps a single resource as { success: true, data } without pagination", async () => {
    const merchantId = newMerchant();
    const id = await insertAccount(h.database.pool, { merchantId });
    const res = await h.call<Success<AccountBody>>("GET", `/accounts/${id}`, { token: await h.token({ merchantId }) });
    const data = expectSuccess(res);
    expect(res.body).not.toHaveProperty("pagination");
    expect(data.id).toBe(id);
  });

  it("answers a request id header, echoing a well-formed one given", async () => {
    const res = await h.call("GET", "/accounts", { headers: { "x-request-id": "trace-123.abc" } });
    expect(res.headers.get("x-request-id")).toBe("trace-123.abc");
    const fresh = await h.call("GET", "/accounts", { headers: { "x-request-id": "bad id with spaces" } });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("error envelope", () => {
  it("answers a JSON 404 envelope for an unknown route under the base path", async () => {
    expectFailure(await h.call("GET", "/nope"), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", "/nope", { token: null }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("POST", "/accounts/x/y/z", { body: {} }), 404, "RESOURCE_NOT_FOUND");
  });

  it("answers a JSON 404 envelope for an unknown route anywhere", async () => {
    expectFailure(await h.call("GET", `${h.url}/nope`, { token: null }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", `${h.url}/api/v2/mkt-x/accounts`, { token: null }), 404, "RESOURCE_NOT_FOUND");
  });

  it("answers an envelope for a method the route does not have", async () => {
    const res = await h.call("PATCH", "/accounts", { body: {} });
    expect([404, 405]).toContain(res.status);
    expectFailure(res, res.status, "RESOURCE_NOT_FOUND");
  });

  it.each([
    ["an unterminated object", "{bad"],
    ["a trailing comma", '{"oauthToken":"a",}'],
    ["single quotes", "{'oauthToken':'a'}"],
    ["plain text", "hello"],
  ])("answers 400 VALIDATION_ERROR for malformed JSON: %s", async (_label, rawBody) => {
    const res = await h.call("POST", "/accounts", { rawBody, headers: { "content-type": "application/json" } });
    expectFailure(res, 400, "VALIDATION_ERROR");
  });

  it("answers 400 for malformed JSON on PUT too, changing nothing", async () => {
    const merchantId = newMerchant();
    const id = await insertAccount(h.database.pool, { merchantId });
    const res = await h.call("PUT", `/accounts/${id}`, { token: await h.token({ merchantId }), rawBody: '{"autoReplyEnabled": tru', headers: { "content-type": "application/json" } });
    expectFailure(res, 400, "VALIDATION_ERROR");
    const { rows } = await h.database.pool.query<{ auto_reply_enabled: boolean }>("SELECT auto_reply_enabled FROM x_accounts WHERE id = $1", [id]);
    expect(rows[0]?.auto_reply_enabled).toBe(false);
  });

  it.each([
    ["an array", [1, 2]],
    ["a string", "oauth"],
    ["a number", 42],
    ["null", null],
  ])("answers 400 VALIDATION_ERROR for a JSON body that is %s", async (_label, body) => {
    expectFailure(await h.call("POST", "/accounts", { rawBody: JSON.stringify(body), headers: { "content-type": "application/json" } }), 400, "VALIDATION_ERROR");
  });

  it.each([
    ["text/plain", '{"oauthToken":"a","oauthTokenSecret":"b"}'],
    ["application/xml", "<account/>"],
    ["application/x-www-form-urlencoded", "oauthToken=a&oauthTokenSecret=b"],
    ["multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"oauthToken\"\r\n\r\na\r\n--x--\r\n"],
  ])("answers a 4xx envelope for content type %s", async (contentType, rawBody) => {
    const res = await h.call("POST", "/accounts", { rawBody, headers: { "content-type": contentType } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectFailure(res, res.status, "VALIDATION_ERROR");
  });

  it("answers a validation failure's details as one object: the first field and reason, and every issue", async () => {
    const failure = expectFailure(await h.call("POST", "/accounts", { body: {} }), 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({
      field: "oauthToken",
      reason: expect.any(String),
      issues: [
        { field: "oauthToken", message: expect.any(String) },
        { field: "oauthTokenSecret", message: expect.any(String) },
      ],
    });
    const details = failure.details as { reason: string; issues: Array<{ message: string }> };
    expect(details.reason).toBe(details.issues[0]?.message);
  });

  it("answers a service's list of issues in the same object form", async () => {
    // thrown by the procedure as AppError(…, [{ field, message }]) before the segment is looked up
    const res = await h.call("POST", `/segments/${randomUUID()}/preview?limit=0`);
    const details = expectFailure(res, 400, "VALIDATION_ERROR").details as { reason: string };
    expect(details).toEqual({ field: "limit", reason: expect.any(String), issues: [{ field: "limit", message: details.reason }] });
  });

  it("gives tRPC clients the same details object", async () => {
    const res = await h.call<{ error: { data: { appCode: string; details: unknown } } }>("POST", `${h.url}/trpc/accounts.connect`, { body: {} });
    expect(res.body.error.data).toMatchObject({ appCode: "VALIDATION_ERROR", details: { field: "oauthToken", reason: expect.any(String), issues: expect.any(Array) } });
  });

  it("answers 413 in the envelope for a body over the limit", async () => {
    const res = await h.call("POST", "/accounts", { rawBody: JSON.stringify({ oauthToken: "a".repeat(1_100_000), oauthTokenSecret: "b" }), headers: { "content-type": "application/json" } });
    expectFailure(res, 413, "VALIDATION_ERROR");
  });

  it("answers 400 for odd query values, never 500", async () => {
    expectFailure(await h.call("GET", "/accounts?take=1e400"), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("GET", "/accounts?status=active&status=inactive"), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("GET", "/accounts?skip=99999999999999999999"), 400, "VALIDATION_ERROR");
  });

  it("answers the envelope for URLs fastify's router refuses: invalid percent-encoding, an over-long parameter", async () => {
    // %ED%A0%80 is a UTF-16 surrogate encoded as UTF-8: not decodable
    expectFailure(await h.call("GET", "/accounts/%ED%A0%80"), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("PUT", "/accounts/%E0%A4%A", { body: { autoReplyEnabled: true } }), 400, "VALIDATION_ERROR");
    // a route of fastify's own (short links) with a parameter over maxParamLength
    expectFailure(await h.call("GET", `${h.url}/r/${"a".repeat(600)}`, { token: null }), 414, "VALIDATION_ERROR");
  });

  it("answers the envelope when Node's HTTP parser refuses the request (headers or URL over its size limit)", async () => {
    const res = await h.call("GET", `/accounts?search=${"x".repeat(20_000)}`);
    expectFailure(res, 431, "VALIDATION_ERROR");
    const huge = await h.call("GET", "/accounts", { headers: { "x-padding": "y".repeat(20_000) } });
    expectFailure(huge, 431, "VALIDATION_ERROR");
  });

  it("never leaks internals for odd ids", async () => {
    for (const id of ["%00", "'; DROP TABLE x_accounts;--", "a".repeat(400), encodeURIComponent("../../etc/passwd"), randomUUID().toUpperCase()]) {
      const res = await h.call("GET", `/accounts/${encodeURIComponent(id)}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectFailure(res, res.status, res.status === 404 ? "RESOURCE_NOT_FOUND" : "VALIDATION_ERROR");
      expectNoInternals(res.text);
    }
    const { rows } = await h.database.pool.query("SELECT count(*) FROM x_accounts");
    expect(rows).toHaveLength(1);
  });
});
