// POST /api/v1/mkt-x/contacts/import with 1,000,000 generated contacts streamed over HTTP through
// the whole stack (auth, rate limit, streaming CSV parse, batched upserts), beside a raw
// `COPY contacts FROM STDIN` of the same rows into the same (emptied) table, in one run.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { startBenchApi } from "./bench-api.ts";
import { createBenchDatabase } from "./bench-db.ts";

const rows = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);

const TIERS = ["bronze", "silver", "gold", "platinum"];

/** The same contact, as the import's CSV and as a COPY row. */
function contactFields(i: number) {
  return {
    twitterUserId: String(1_000_000_000 + i),
    username: `user_${i}`,
    displayName: `Customer ${i}`,
    tags: i % 3 === 0 ? ["vip", "customer"] : ["customer"],
    tier: TIERS[i % TIERS.length] ?? "bronze",
    purchaseCount: i % 50,
  };
}

/** Rows generated on the fly, a chunk of 1,000 at a time, with progress on stderr. */
function generate(label: string, header: string, line: (i: number) => string): Readable {
  let i = 0;
  const step = Math.max(1, Math.floor(rows / 10));
  const t0 = performance.now();
  return Readable.from(
    (function* () {
      yield header;
      while (i < rows) {
        let chunk = "";
        const end = Math.min(rows, i + 1_000);
        for (; i < end; i++) chunk += line(i);
        if (i % step < 1_000) process.stderr.write(`${label}: ${i.toLocaleString("en")} / ${rows.toLocaleString("en")} rows sent (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

const csvLine = (i: number) => {
  const c = contactFields(i);
  return `${c.twitterUserId},${c.username},${c.displayName},${c.tags.join("|")},${c.tier},${c.purchaseCount}\n`;
};
const copyLine = (merchantId: string, accountId: string) => (i: number) => {
  const c = contactFields(i);
  const attributes = JSON.stringify({ tier: c.tier, purchaseCount: c.purchaseCount }).replaceAll('"', '""');
  return `${merchantId},${accountId},${c.twitterUserId},${c.username},${c.displayName},"{${c.tags.join(",")}}","${attributes}",import\n`;
};

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const merchantId = randomUUID();
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
const account = await pool.query<{ id: string }>(
  "INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status) VALUES ($1, '424242', 'bench_shop', 'Bench Shop', 'active') RETURNING id",
  [merchantId],
);
const accountId = account.rows[0]?.id ?? "";

async function settle() {
  await pool.query("TRUNCATE contacts CASCADE");
  // start each run from the same clean state: the dead tuples and dirty pages of the last one gone
  await pool.query("VACUUM ANALYZE contacts").catch(() => {});
  await pool.query("CHECKPOINT").catch(() => {});
}

function report(bench: string, seconds: number, extra: Record<string, unknown> = {}) {
  const line = { bench, rows, seconds: Number(seconds.toFixed(2)), rowsPerSec: Math.round(rows / seconds), ...extra };
  console.log(JSON.stringify(line));
  return line;
}

// Baseline: COPY the same rows straight into the table, over one connection.
await settle();
const copyClient = await pool.connect();
let started = performance.now();
await pipeline(
  generate("copy", "", copyLine(merchantId, accountId)),
  copyClient.query(copyFrom("COPY contacts (merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, source) FROM STDIN WITH (FORMAT csv)")),
);
const copy = report("contacts.csv_import.baseline_copy", (performance.now() - started) / 1000);
copyClient.release();

// The API, listening on a port like in production, fed over HTTP.
await settle();
const benchApi = await startBenchApi({ url: benchDb.url, pool });
const apiUrl = benchApi.url;
const token = await benchApi.token(merchantId, "agent");

started = performance.now();
const body = generate("import", "twitterUserId,username,displayName,tags,attr.tier,attr.purchaseCount\n", csvLine);
const res = await fetch(`${apiUrl}/api/v1/mkt-x/contacts/import?accountId=${accountId}`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
  body: Readable.toWeb(body),
  duplex: "half",
});
const answer = (await res.json()) as { success: boolean; data?: { inserted: number; updated: number; failed: number } };
const seconds = (performance.now() - started) / 1000;
if (res.status !== 200 || answer.data?.inserted !== rows) {
  console.error(`import failed: ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
  process.exitCode = 1;
}
const api = report("contacts.csv_import", seconds, {
  inserted: answer.data?.inserted ?? 0,
  failed: answer.data?.failed ?? 0,
});
const stored = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM contacts WHERE account_id = $1", [accountId]);
console.log(JSON.stringify({ bench: "contacts.csv_import.ratio", importOverCopy: Number((api.rowsPerSec / copy.rowsPerSec).toFixed(3)), storedRows: stored.rows[0]?.n ?? 0 }));

await benchApi.close();
await pool.end();
await benchDb.drop();
