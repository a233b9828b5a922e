// The bot's latency per customer message on the embedded provider, with a 10,000-product catalog
// (beside another merchant's 2,000) and 200 FAQ entries: sendAiMessage as the API and the worker
// call it (session, knowledge retrieval, NLU, answer, the turn stored), per message of the
// evaluation set. Beside it the raw baseline: the bare retrieval SQL (the lexicon lookup and the
// products' rank query, hand-written, on one pg connection) for the same messages, and the NLU
// alone; then, on a few messages, the products' rank as it first was (every product of the
// merchant scored with to_tsvector and word_similarity per row). One JSON line per figure. Target: the bot's p95 ≤ 50 ms ("met" says whether it was; a
// miss is a figure, not a failure).
//   BENCH_PRODUCTS (10000), BENCH_OTHER_PRODUCTS (2000), BENCH_MESSAGES (367: the eval set once)
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { createDb } from "@mkt-x/db";
import { migrateDatabase, startEmbeddedPostgres, withDatabase } from "@mkt-x/db/ops";
import { candidateQueries, createEmbeddedAiProvider, loadEvalSet, retrievalTerms, SCORING_BUDGET, scopeToMerchant, sendAiMessage, understandOffline, type TermWord } from "../src/server.ts";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const OTHER_PRODUCTS = Number(process.env.BENCH_OTHER_PRODUCTS ?? 2_000);
const TARGET_P95_MS = 50;
const CONVERSATIONS = 20;

const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (n: number) => Number(n.toFixed(2));
const figures = (samples: number[]) => ({ n: samples.length, p50Ms: ms(percentile(samples, 50)), p95Ms: ms(percentile(samples, 95)), p99Ms: ms(percentile(samples, 99)), maxMs: ms(Math.max(...samples)) });

// a catalog that reads like a shop's: garments × materials × colours × fits, each with variants
async function seedCatalog(pool: pg.Pool, merchantId: string, products: number): Promise<void> {
  await pool.query(
    `INSERT INTO ai_products (merchant_id, sku, name, description, price, currency, variants, tags)
     SELECT $1, 'SKU-' || i,
            (ARRAY['Linen','Cotton','Denim','Wool','Silk','Leather','Canvas','Bamboo','Cashmere','Fleece'])[1 + i % 10] || ' ' ||
            (ARRAY['shirt','jacket','hoodie','dress','tote bag','sneakers','cap','scarf','jeans','socks','wallet','coat','polo','skirt','beanie'])[1 + (i / 10) % 15] || ' ' ||
            (ARRAY['classic','slim','oversized','relaxed','cropped','everyday','weekend','studio'])[1 + (i / 150) % 8] || ' ' || i,
            'Made of ' || (ARRAY['100% cotton','linen','wool blend','recycled polyester','full-grain leather'])[1 + i % 5] || ', ' ||
            (ARRAY['machine washable','hand wash only','dry clean'])[1 + i % 3],
            round((9 + (i % 90) + 0.9)::numeric, 2), 'USD',
            jsonb_build_array(jsonb_build_object('size','S','color','Black','stock', i % 4), jsonb_build_object('size','M','color','White','stock', i % 7),
                              jsonb_build_object('size','L','color','Navy','stock', i % 3)),
            ARRAY[(ARRAY['new','sale','bestseller','basics'])[1 + i % 4]]
     FROM generate_series(1, $2::int) AS i`,
    [merchantId, products],
  );
}

async function seedFaqs(pool: pg.Pool, merchantId: string): Promise<void> {
  await pool.query(
    `INSERT INTO ai_faq_entries (merchant_id, question, answer, tags)
     SELECT $1, (ARRAY['How long does delivery take','What is your return policy','Do you ship abroad','Is there a discount code','How do I exchange a size'])[1 + i % 5] || ' (' || i || ')?',
            'Answer ' || i || ': see our policies page.', ARRAY['policy']
     FROM generate_series(1, 200) AS i`,
    [merchantId],
  );
}

async function conversationsOf(pool: pg.Pool, merchantId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const account = await pool.query<{ id: string }>(`INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status, connected_at) VALUES ($1, $2, $3, $3, 'active', now()) RETURNING id`, [merchantId, `17${Date.now()}${i}`, `shop_${i}_${randomUUID().slice(0, 6)}`]);
    const accountId = account.rows[0]?.id;
    const contact = await pool.query<{ id: string }>(`INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, first_interaction_at, last_interaction_at, updated_at) VALUES ($1, $2, $3, $4, now(), now(), now()) RETURNING id`, [merchantId, accountId, `18${Date.now()}${i}`, `customer_${i}`]);
    const conversation = await pool.query<{ id: string }>(`INSERT INTO conversations (merchant_id, account_id, contact_id, status, updated_at) VALUES ($1, $2, $3, 'open', now()) RETURNING id`, [merchantId, accountId, contact.rows[0]?.id]);
    ids.push(conversation.rows[0]?.id ?? "");
  }
  return ids;
}

// the products' retrieval as retrieve-knowledge runs it, written out by hand: the terms' words in
// the merchant's lexicon, then the candidates (the same plan: candidateQueries) scored
const RAW_WORDS = `SELECT source, term, word, similarity::float AS similarity, ndoc FROM mktx_knowledge_words($1, $2::text[])`;
const RAW_RANK = `
  WITH m AS (SELECT * FROM unnest($3::text[], $4::int[], $5::float8[]) AS m(word, term, similarity)),
  candidates AS (
    SELECT DISTINCT c.id FROM unnest($6::tsquery[], $7::int[]) AS q(query, lim)
    CROSS JOIN LATERAL (SELECT k.id FROM ai_products k WHERE k.merchant_id = $1 AND k.search_vector @@ q.query LIMIT q.lim) c
  ), scored AS (
    SELECT k.id, k.created_at, ts_rank(k.search_vector, to_tsquery('simple', $2)) AS fts,
           (SELECT coalesce(sum(best), 0) FROM (SELECT max(m.similarity) AS best FROM unnest(k.search_vector) AS v JOIN m ON m.word = v.lexeme GROUP BY m.term) b) / $8::float AS trgm
    FROM ai_products k JOIN candidates c ON c.id = k.id WHERE k.merchant_id = $1)
  SELECT id, count(*) OVER () FROM scored ORDER BY fts + trgm DESC, created_at DESC, id LIMIT 3`;

// the rank as it first was, before indexes chose its candidates: every product of the merchant scored
const FULL_SCAN_RANK = `
  WITH scored AS (
    SELECT k.id, k.created_at,
           ts_rank(to_tsvector('simple', k.search_text), to_tsquery('simple', $2)) AS fts,
           (SELECT coalesce(sum(s), 0) / $4::float FROM (SELECT word_similarity(t, k.search_text) AS s FROM unnest($3::text[]) AS t) x WHERE s >= 0.5) AS trgm
    FROM ai_products k WHERE k.merchant_id = $1)
  SELECT id, count(*) OVER () FROM scored WHERE fts > 0 OR trgm > 0 ORDER BY fts + trgm DESC, created_at DESC, id LIMIT 3`;
const FULL_SCAN_MESSAGES = Number(process.env.BENCH_FULL_SCAN_MESSAGES ?? 30);

const root = join(import.meta.dirname, "..", "..", "..");
let adminUrl = process.env.DATABASE_URL;
let stopEmbedded = async () => {};
if (!adminUrl) {
  const dir = join(root, ".data", `pg-bench-ai-${process.pid}`);
  const embedded = await startEmbeddedPostgres({ dir, persistent: false });
  adminUrl = embedded.url();
  stopEmbedded = async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
const dbName = `mktx_bench_ai_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const url = withDatabase(adminUrl, dbName);
try {
  await migrateDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const merchantId = `bench-${randomUUID()}`;
  const started = performance.now();
  await seedCatalog(pool, merchantId, PRODUCTS);
  if (OTHER_PRODUCTS > 0) await seedCatalog(pool, `other-${randomUUID()}`, OTHER_PRODUCTS);
  await seedFaqs(pool, merchantId);
  await pool.query("VACUUM ANALYZE ai_products");
  await pool.query("VACUUM ANALYZE ai_faq_entries");
  await pool.query("CHECKPOINT");
  const conversations = await conversationsOf(pool, merchantId, CONVERSATIONS);
  console.log(JSON.stringify({ bench: "ai-bot.seed", products: PRODUCTS, otherMerchantProducts: OTHER_PRODUCTS, faqs: 200, seconds: ms((performance.now() - started) / 1000) }));

  const set = loadEvalSet();
  const count = Number(process.env.BENCH_MESSAGES ?? set.length);
  const messages = Array.from({ length: count }, (_, i) => set[i % set.length]?.text ?? "hi");
  const db = createDb(url, { poolSize: 4 });
  const scoped = scopeToMerchant(db, merchantId);
  const ai = createEmbeddedAiProvider();
  const bot = (message: string, i: number) => sendAiMessage(scoped, ai, { merchantId, conversationId: conversations[i % CONVERSATIONS] ?? "", message });
  const rawClient = new pg.Client({ connectionString: url });
  await rawClient.connect();
  const rank = async (sql: string, message: string) => {
    const terms = retrievalTerms(message);
    if (terms.length === 0) return;
    await rawClient.query(sql, [merchantId, terms.map((t) => `${t}:*`).join(" | "), terms, terms.length]);
  };
  const raw = async (message: string) => {
    const terms = retrievalTerms(message);
    if (terms.length === 0) return;
    const found = await rawClient.query<TermWord & { term: number }>(RAW_WORDS, [merchantId, terms]);
    const words = found.rows.filter((w) => w.source === "product").map((w) => ({ ...w, term: w.term - 1 }));
    const candidates = candidateQueries(words, SCORING_BUDGET);
    if (candidates.length === 0) return;
    await rawClient.query(RAW_RANK, [merchantId, terms.map((t) => `${t}:*`).join(" | "), words.map((w) => w.word), words.map((w) => w.term), words.map((w) => w.similarity),
      candidates.map((c) => c.query), candidates.map((c) => c.limit), terms.length]);
  };

  // warm the JIT, the pools and the caches on a few messages first
  for (let i = 0; i < 20; i++) {
    await bot(messages[i] ?? "hi", i);
    await raw(messages[i] ?? "hi");
  }
  // interleaved, so both see the same machine load
  const botMs: number[] = [];
  const rawMs: number[] = [];
  const nluMs: number[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] ?? "hi";
    let t = performance.now();
    await bot(message, i);
    botMs.push(performance.now() - t);
    t = performance.now();
    await raw(message);
    rawMs.push(performance.now() - t);
    t = performance.now();
    understandOffline({ messages: [{ role: "user", content: message }], knownSlots: {} });
    nluMs.push(performance.now() - t);
  }
  const botFigures = figures(botMs);
  console.log(JSON.stringify({ bench: "ai-bot.message", provider: "embedded", products: PRODUCTS, ...botFigures, targetP95Ms: TARGET_P95_MS, met: botFigures.p95Ms <= TARGET_P95_MS }));
  console.log(JSON.stringify({ bench: "ai-bot.baseline.retrieval-sql", products: PRODUCTS, ...figures(rawMs) }));
  console.log(JSON.stringify({ bench: "ai-bot.baseline.nlu-only", ...figures(nluMs) }));
  // the query as it was, on fewer messages (it scores the whole catalog each time)
  const fullScanMs: number[] = [];
  for (const message of messages.filter((m) => retrievalTerms(m).length > 0).slice(0, FULL_SCAN_MESSAGES)) {
    const t = performance.now();
    await rank(FULL_SCAN_RANK, message);
    fullScanMs.push(performance.now() - t);
  }
  console.log(JSON.stringify({ bench: "ai-bot.before.full-scan-retrieval-sql", products: PRODUCTS, ...figures(fullScanMs) }));
  await rawClient.end();
  await db.$disconnect();
  await pool.end();
} finally {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await c.end();
  await stopEmbedded();
}
