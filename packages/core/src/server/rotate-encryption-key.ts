// `pnpm keys:rotate`: every secret stored encrypted (each `*_enc` text column of the schema, so a
// table added later is covered) re-encrypted under the current TOKEN_ENCRYPTION_KEY. Run while the
// service runs with the old key in TOKEN_ENCRYPTION_KEY_PREVIOUS: both decrypt until it is done.
// Each row is updated only if its value is still the one read (a concurrent write wins), in batches,
// and a second run finds nothing to do. Values written before ciphertexts named their place (v1) are
// rewritten bound to it (`table.column:primary key`), so after a rotation every secret is bound.
import type { Pool } from "pg";
import { secretPlace, type TokenCipher } from "./token-cipher.ts";

export interface RotationReport {
  /** per "table.column": re-encrypted, already under the current key, undecryptable with any key */
  columns: Record<string, { rotated: number; current: number; failed: number }>;
  /** ids of the rows no key decrypts, per "table.column" (at most 20 each) */
  failures: Record<string, string[]>;
}

const BATCH = 500;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The encrypted columns: text columns named `*_enc` in public, with their table's one-column primary key. */
async function encryptedColumns(pool: Pool): Promise<Array<{ table: string; column: string; key: string }>> {
  const { rows } = await pool.query<{ table: string; column: string; key: string }>(
    `SELECT c.table_name AS "table", c.column_name AS "column", min(k.column_name) AS "key"
       FROM information_schema.columns c
       JOIN information_schema.table_constraints t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY'
       JOIN information_schema.key_column_usage k
         ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
      WHERE c.table_schema = 'public' AND c.column_name LIKE '%\\_enc' AND c.data_type = 'text'
      GROUP BY 1, 2
     HAVING count(*) = 1
      ORDER BY 1, 2`,
  );
  return rows;
}

export async function rotateEncryptionKey(pool: Pool, cipher: TokenCipher): Promise<RotationReport> {
  const report: RotationReport = { columns: {}, failures: {} };
  for (const { table, column, key } of await encryptedColumns(pool)) {
    const name = `${table}.${column}`;
    const counts = { rotated: 0, current: 0, failed: 0 };
    const failed: string[] = [];
    let after = "";
    for (;;) {
      const { rows } = await pool.query<{ id: string; value: string }>(
        `SELECT ${ident(key)}::text AS id, ${ident(column)} AS value FROM ${ident(table)} WHERE ${ident(column)} IS NOT NULL AND ${ident(key)}::text > $1 ORDER BY ${ident(key)}::text LIMIT ${BATCH}`,
        [after],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      for (const row of rows) {
        const place = secretPlace(table, column, row.id);
        if (cipher.isCurrent(row.value, place)) {
          counts.current++;
          continue;
        }
        let plain: string;
        try {
          plain = cipher.decrypt(row.value, place);
        } catch {
          counts.failed++;
          if (failed.length < 20) failed.push(row.id);
          continue;
        }
        const updated = await pool.query(`UPDATE ${ident(table)} SET ${ident(column)} = $3 WHERE ${ident(key)}::text = $1 AND ${ident(column)} = $2`, [row.id, row.value, cipher.encrypt(plain, place)]);
        // changed meanwhile: written by a process with the current key already
        if (updated.rowCount === 1) counts.rotated++;
        else counts.current++;
      }
    }
    report.columns[name] = counts;
    if (failed.length) report.failures[name] = failed;
  }
  return report;
}
