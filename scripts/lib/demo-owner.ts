// The demo merchant's owner for `pnpm dev`: owner@demo.local with a password generated once into
// .data/ (like the other dev secrets), so it stays the same across restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createDb } from "@mkt-x/db";
import { hashPassword, checkPassword } from "@mkt-x/core/server";
import { DATA_DIR, DEMO_MERCHANT_ID, DEMO_USER_ID } from "./dev-secrets.ts";

export const DEMO_OWNER_EMAIL = "owner@demo.local";

function demoOwnerPassword(): string {
  const file = join(DATA_DIR, "demo-owner-password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(DATA_DIR, { recursive: true });
  const password = randomBytes(12).toString("base64url");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Makes sure the demo merchant and its owner exist with the password in .data/; answers the login. */
export async function seedDemoOwner(databaseUrl: string): Promise<{ email: string; password: string }> {
  const password = demoOwnerPassword();
  const db = createDb(databaseUrl, { poolSize: 1 });
  try {
    await db.merchant.upsert({ where: { id: DEMO_MERCHANT_ID }, create: { id: DEMO_MERCHANT_ID, name: "GoodGo Shop" }, update: {} });
    const existing = await db.user.findUnique({ where: { email: DEMO_OWNER_EMAIL } });
    if (!existing) {
      await db.user.create({ data: { id: DEMO_USER_ID, merchantId: DEMO_MERCHANT_ID, email: DEMO_OWNER_EMAIL, name: "Demo Owner", role: "owner", passwordHash: await hashPassword(password) } });
    } else if (!(await checkPassword(existing.passwordHash, password))) {
      // the file was removed or edited: the printed password must work
      await db.user.update({ where: { id: existing.id }, data: { passwordHash: await hashPassword(password), role: "owner", merchantId: DEMO_MERCHANT_ID } });
    }
  } finally {
    await db.$disconnect();
  }
  return { email: DEMO_OWNER_EMAIL, password };
}
