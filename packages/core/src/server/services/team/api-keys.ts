// POST/GET /api-keys, DELETE /api-keys/{id}, and what the auth hook asks of a `mktx_…` bearer.
import type { ApiKeyModel as ApiKeyRow, Db } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid, pagination, type PageInput, type Pagination } from "../../../contract/common.ts";
import { API_KEY_PREFIX, type ApiKey, type CreatedApiKey, type CreateApiKeyInput } from "../../../contract/auth.ts";
import type { Role } from "../../../roles.ts";
import { asRole } from "../auth/issue-tokens.ts";
import { randomSecret, sha256Hex } from "../auth/secrets.ts";
import { assertMayGrant } from "./team-rules.ts";

/** how much of a key is kept in clear to recognise it: the scheme and 7 of its 43 random characters */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 7;
/** lastUsedAt is written at most this often per key: one write a minute, not one per request */
const LAST_USED_RESOLUTION_MS = 60_000;

const toApiKey = (k: ApiKeyRow): ApiKey => ({ id: k.id, name: k.name, role: asRole(k.role), prefix: k.prefix, lastUsedAt: k.lastUsedAt?.toISOString() ?? null, createdAt: k.createdAt.toISOString() });

export async function createApiKey(db: Db, opts: { merchantId: string; userId: string; actorRole: Role; input: CreateApiKeyInput }): Promise<CreatedApiKey> {
  assertMayGrant(opts.actorRole, opts.input.role);
  const key = `${API_KEY_PREFIX}${randomSecret(32)}`;
  const row = await db.apiKey.create({
    data: { merchantId: opts.merchantId, name: opts.input.name, role: opts.input.role, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), keyHash: sha256Hex(key), createdByUserId: opts.userId },
  });
  return { id: row.id, name: row.name, role: asRole(row.role), key, prefix: row.prefix, createdAt: row.createdAt.toISOString() };
}

export async function listApiKeys(db: Db, opts: { merchantId: string; page: PageInput }): Promise<{ data: ApiKey[]; pagination: Pagination }> {
  const where = { merchantId: opts.merchantId, revokedAt: null };
  const [rows, total] = await Promise.all([
    db.apiKey.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: opts.page.skip, take: opts.page.take }),
    db.apiKey.count({ where }),
  ]);
  return { data: rows.map(toApiKey), pagination: pagination(opts.page, total) };
}

/** Revoked at once for every API instance: keys are looked up in PostgreSQL on every request, never cached. */
export async function revokeApiKey(db: Db, opts: { merchantId: string; id: string }): Promise<null> {
  const revoked = isUuid(opts.id) ? await db.apiKey.updateMany({ where: { id: opts.id, merchantId: opts.merchantId, revokedAt: null }, data: { revokedAt: new Date() } }) : { count: 0 };
  if (revoked.count === 0) throw notFound("API key", opts.id);
  return null;
}

export const isApiKey = (bearer: string) => bearer.startsWith(API_KEY_PREFIX);

/** The caller a live key stands for, or null (unknown or revoked). Its user id is `apikey:<id>`. */
export async function resolveApiKey(db: Db, key: string): Promise<{ userId: string; merchantId: string; role: Role } | null> {
  const row = await db.apiKey.findUnique({ where: { keyHash: sha256Hex(key) }, select: { id: true, merchantId: true, role: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // best effort and off the request's path: a lost lastUsedAt is not worth a failed call
    void db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { userId: `apikey:${row.id}`, merchantId: row.merchantId, role: asRole(row.role) };
}
