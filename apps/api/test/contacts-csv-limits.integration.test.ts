// The contacts CSV import under hostile input: a huge declared upload is refused before it is
// read, an endless record is refused after a bounded read (the rest of the upload is not read and
// the process's memory stays flat), oversized values and too many attribute keys are refused.
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ATTRIBUTE_KEYS_PER_ACCOUNT, MAX_ATTRIBUTE_VALUE_LENGTH } from "@mkt-x/core";
import { importContactsCsv, scopeToMerchant, MAX_IMPORT_BYTES } from "@mkt-x/core/server";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertContactWith, newMerchant, type CsvImportBody, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;
async function shop() {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId });
  return { merchantId, accountId, token: await h.token({ merchantId, role: "agent" }) };
}
const importCsv = (token: string, accountId: string, csv: string) =>
  h.call<Success<CsvImportBody>>("POST", `/contacts/import?accountId=${accountId}`, { token, rawBody: csv, headers: { "content-type": "text/csv" } });

const GB = 1024 * 1024 * 1024;

/** A lazily generated upload of `total` bytes; `pulled()` says how much the server made it produce. */
function hostileUpload(total: number, first: string, filler: string) {
  let produced = 0;
  const chunk = Buffer.from(filler.repeat(Math.ceil(65_536 / filler.length)).slice(0, 65_536));
  const stream = new Readable({
    read() {
      if (produced === 0) {
        produced += first.length;
        this.push(first);
        return;
      }
      if (produced >= total) return this.push(null);
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => produced };
}

function post(path: string, token: string, body: Readable, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; connection: string | undefined }> {
  const url = new URL(`${h.base}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/csv", ...headers } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, connection: res.headers.connection }));
    });
    // the server may close the connection once it answered: that is the point
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
    body.pipe(req);
  });
}

describe("contacts CSV import bounds", () => {
  it("refuses a declared 1 GB upload with 413 before reading it", async () => {
    const s = await shop();
    const upload = hostileUpload(GB, "twitterUserId,displayName\n", "1,x\n");
    const res = await post(`/contacts/import?accountId=${s.accountId}`, s.token, upload.stream, { "content-length": String(GB) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ success: false, code: "VALIDATION_ERROR", details: { field: "body" } });
    expect(String(res.body.error)).toContain(String(MAX_IMPORT_BYTES));
    expect(res.connection).toBe("close");
    upload.stream.destroy();
    expect(upload.pulled()).toBeLessThan(32 * 1024 * 1024);
    expect((await pool().query("SELECT count(*)::int AS n FROM contacts WHERE account_id = $1", [s.accountId])).rows[0].n).toBe(0);
  });

  it("stops a 1 GB streamed record that never ends after a bounded read: 400, memory flat, the rest unread", async () => {
    const s = await shop();
    const before = process.memoryUsage().rss;
    // one quoted cell that is never closed: a record the size of the file
    const upload = hostileUpload(GB, 'twitterUserId,displayName\n1,"', "A");
    const res = await post(`/contacts/import?accountId=${s.accountId}`, s.token, upload.stream, { "transfer-encoding": "chunked" });
    upload.stream.destroy();
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
    expect(String(res.body.error)).toMatch(/Malformed CSV/);
    expect(upload.pulled()).toBeLessThan(64 * 1024 * 1024);
    const grown = process.memoryUsage().rss - before;
    console.log(JSON.stringify({ measure: "csv_import.hostile_1gb_record", pulledBytes: upload.pulled(), rssGrowthBytes: grown }));
    expect(grown).toBeLessThan(200 * 1024 * 1024);
  });

  it("refuses a string attribute over 1,000 characters as a bad row, importing the rest", async () => {
    const s = await shop();
    const long = "x".repeat(MAX_ATTRIBUTE_VALUE_LENGTH + 1);
    const res = expectSuccess(await importCsv(s.token, s.accountId, `twitterUserId,attr.note\n1,${long}\n2,${"y".repeat(MAX_ATTRIBUTE_VALUE_LENGTH)}\n`));
    expect(res).toMatchObject({ rows: 2, inserted: 1, failed: 1 });
    expect(res.errors).toEqual([{ row: 2, field: "attr.note", reason: expect.stringContaining("1000 characters") }]);
    const viaApi = await h.call("PUT", `/contacts/${(await pool().query("SELECT id FROM contacts WHERE account_id = $1", [s.accountId])).rows[0].id}/attributes`, { token: s.token, body: { attributes: { note: long } } });
    expectFailure(viaApi, 400, "VALIDATION_ERROR");
  });

  it(`bounds the distinct attribute keys of an account at ${MAX_ATTRIBUTE_KEYS_PER_ACCOUNT}, through the CSV and the API`, async () => {
    const s = await shop();
    const keys = (from: number, n: number) => Array.from({ length: n }, (_, i) => `k${from + i}`);
    // 5 files of 100 columns: 500 keys in all
    for (let f = 0; f < 5; f++) {
      const header = ["twitterUserId", ...keys(f * 100, 100).map((k) => `attr.${k}`)].join(",");
      expectSuccess(await importCsv(s.token, s.accountId, `${header}\n${f + 1},${Array.from({ length: 100 }, () => "1").join(",")}\n`));
    }
    const refused = expectFailure(await importCsv(s.token, s.accountId, "twitterUserId,attr.k0,attr.one_more\n9,1,1\n"), 400, "VALIDATION_ERROR");
    expect(JSON.stringify(refused.details)).toContain("at most 500 distinct attribute keys");
    // keys it already has stay usable
    expect(expectSuccess(await importCsv(s.token, s.accountId, "twitterUserId,attr.k0,attr.k499\n9,2,3\n"))).toMatchObject({ inserted: 1 });
    const contactId = (await pool().query("SELECT id FROM contacts WHERE account_id = $1 AND twitter_user_id = '9'", [s.accountId])).rows[0].id;
    expectFailure(await h.call("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body: { attributes: { brand_new: 1 } } }), 400, "VALIDATION_ERROR");
    expectSuccess(await h.call<Success<unknown>>("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body: { attributes: { k1: "ok" } } }));
    // the export has a column per key: 500 at most
    const exported = await fetch(`${h.base}/contacts/export?accountId=${s.accountId}`, { headers: { authorization: `Bearer ${s.token}` } });
    expect((await exported.text()).split("\n")[0]?.split(",")).toHaveLength(4 + MAX_ATTRIBUTE_KEYS_PER_ACCOUNT);
  });

  it("imports at most the row limit, keeps what it wrote and says so with 413", async () => {
    const s = await shop();
    await insertContactWith(pool(), { merchantId: s.merchantId, accountId: s.accountId, twitterUserId: "100" });
    const csv = ["twitterUserId,displayName", ...Array.from({ length: 7 }, (_, i) => `${100 + i},Name ${i}`)].join("\n");
    const error = await importContactsCsv(scopeToMerchant(h.database.db, s.merchantId), { merchantId: s.merchantId, accountId: s.accountId, csv: Readable.from([csv]), maxRows: 5, batchSize: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", status: 413, details: { reason: "more than 5 rows", imported: { inserted: 4, updated: 1, failed: 0 } } });
    expect((await pool().query("SELECT count(*)::int AS n FROM contacts WHERE account_id = $1", [s.accountId])).rows[0].n).toBe(5);
  });
});
