// Generates a merchant's contacts set-based in PostgreSQL (generate_series, batches of 100,000),
// with realistic tags and attributes, for the segment and campaign benchmarks. Progress goes to
// stderr. Deterministic for a given count (setseed), so runs compare.
//
//   tsx bench/generate-contacts.ts <databaseUrl> [contacts=1000000] [merchantId]
//
// What a contact gets (shares are of all contacts):
//   tags: customer 50 %, newsletter 40 %, lead 30 %, churned 10 %, b2b 8 %, vip 5 %, beta 2 %,
//         wholesale 0.5 %, influencer 0.2 %
//   attributes: plan free 60 % / basic 25 % / pro 12 % / enterprise 3 %, purchaseCount 0-20
//         (skewed low), lifetimeValue (a number with cents), city (20), signupDate ("YYYY-MM-DD"),
//         newsletter (boolean), referralCode on 30 % (unique)
//   source: inbound_message 60 %, new_follower 25 %, import 15 %; 10 % without a display name
//   conversationCount 0-5 (skewed low); interactions within the last two years, 5 % never;
//   opted out 3 %; spread over the merchant's accounts round-robin.
import { pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";
import pg from "pg";

export interface GenerateContactsOptions {
  url: string;
  merchantId: string;
  contacts: number;
  /** X accounts created for the merchant (default 4) */
  accounts?: number;
  batchSize?: number;
  /** where progress lines go (default stderr) */
  log?: (line: string) => void;
}

export interface GeneratedContacts {
  merchantId: string;
  accountIds: string[];
  contacts: number;
  seconds: number;
}

const BATCH_SQL = `
  INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, source,
                        conversation_count, first_interaction_at, last_interaction_at, consent_at, opted_out, opted_out_at)
  SELECT $1, ($2::uuid[])[1 + g % cardinality($2::uuid[])], (1000000000000 + g)::text, 'user_' || g,
         CASE WHEN r.name_roll < 0.1 THEN NULL
              ELSE (ARRAY['Anna','John','Maria','Wei','Fatima','Lukas','Sofia','Omar','Chloé','Kenji','Ana','Noah'])[1 + g % 12]
                   || ' ' || (ARRAY['Smith','Garcia','Müller','Chen','Khan','Rossi','Dubois','Sato','Silva','Brown','Nowak'])[1 + (g / 12) % 11] END,
         array_remove(ARRAY[
           CASE WHEN random() < 0.50 THEN 'customer' END,
           CASE WHEN random() < 0.40 THEN 'newsletter' END,
           CASE WHEN random() < 0.30 THEN 'lead' END,
           CASE WHEN random() < 0.10 THEN 'churned' END,
           CASE WHEN random() < 0.08 THEN 'b2b' END,
           CASE WHEN random() < 0.05 THEN 'vip' END,
           CASE WHEN random() < 0.02 THEN 'beta' END,
           CASE WHEN random() < 0.005 THEN 'wholesale' END,
           CASE WHEN random() < 0.002 THEN 'influencer' END], NULL),
         jsonb_strip_nulls(jsonb_build_object(
           'plan', CASE WHEN r.plan_roll < 0.60 THEN 'free' WHEN r.plan_roll < 0.85 THEN 'basic' WHEN r.plan_roll < 0.97 THEN 'pro' ELSE 'enterprise' END,
           'purchaseCount', floor(power(random(), 2) * 21)::int,
           'lifetimeValue', round((random() * 2000)::numeric, 2),
           'city', (ARRAY['Berlin','Paris','Madrid','Rome','Lisbon','Warsaw','Vienna','Prague','Dublin','Oslo','Tokyo','Seoul',
                          'Austin','Boston','Denver','Toronto','Lagos','Nairobi','Lima','Sydney'])[1 + floor(random() * 20)::int],
           'signupDate', to_char(date '2023-01-01' + floor(random() * 1000)::int, 'YYYY-MM-DD'),
           'newsletter', random() < 0.4,
           'referralCode', CASE WHEN random() < 0.3 THEN 'r' || g END)),
         CASE WHEN r.source_roll < 0.60 THEN 'inbound_message' WHEN r.source_roll < 0.85 THEN 'new_follower' ELSE 'import' END,
         floor(power(random(), 2) * 6)::int,
         r.first_at, r.last_at,
         CASE WHEN r.source_roll < 0.60 THEN r.first_at END,
         r.opted_out, CASE WHEN r.opted_out THEN r.last_at END
  FROM generate_series($3::int, $4::int) AS g
  CROSS JOIN LATERAL (
    -- g makes the subquery run per row (an uncorrelated one would run once)
    SELECT g AS n, random() AS name_roll, random() AS plan_roll, random() AS source_roll, random() < 0.03 AS opted_out,
           CASE WHEN random() < 0.05 THEN NULL ELSE now() - random() * interval '730 days' END AS first_at
  ) AS f
  CROSS JOIN LATERAL (
    SELECT f.name_roll, f.plan_roll, f.source_roll, f.opted_out, f.first_at,
           f.first_at + random() * (now() - f.first_at) AS last_at
  ) AS r`;

export async function generateContacts(opts: GenerateContactsOptions): Promise<GeneratedContacts> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const batchSize = opts.batchSize ?? 100_000;
  const started = performance.now();
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  try {
    const accountIds: string[] = [];
    for (let i = 0; i < (opts.accounts ?? 4); i++) {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status)
         VALUES ($1, $2, $3, $3, 'active') RETURNING id`,
        [opts.merchantId, `8${Date.now() % 1e9}${i}${Math.floor(Math.random() * 1e6)}`, `bench_shop_${i}_${randomUUID().slice(0, 8)}`],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error("account insert returned nothing");
      accountIds.push(id);
    }
    await client.query("SELECT setseed(0.42)");
    for (let from = 1; from <= opts.contacts; from += batchSize) {
      const to = Math.min(opts.contacts, from + batchSize - 1);
      await client.query(BATCH_SQL, [opts.merchantId, accountIds, from, to]);
      log(`contacts: ${to.toLocaleString("en")} / ${opts.contacts.toLocaleString("en")} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    log("contacts: vacuum analyze");
    await client.query("VACUUM (ANALYZE) contacts");
    await client.query("ANALYZE x_accounts");
    const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    log(`contacts: ${opts.contacts.toLocaleString("en")} ready in ${seconds} s`);
    return { merchantId: opts.merchantId, accountIds, contacts: opts.contacts, seconds };
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [url, count, merchantId] = process.argv.slice(2);
  if (!url) {
    process.stderr.write("usage: tsx bench/generate-contacts.ts <databaseUrl> [contacts=1000000] [merchantId]\n");
    process.exit(2);
  }
  const result = await generateContacts({ url, contacts: Number(count ?? 1_000_000), merchantId: merchantId ?? randomUUID() });
  console.log(JSON.stringify({ bench: "generate-contacts", ...result }));
}
