// Contacts CSV over plain HTTP, beside the REST bridge (which speaks JSON only): the import reads
// the request body as a stream of text/csv straight into the core service, the export streams
// text/csv out. Registered inside the authenticated scope, so the auth hook and the per-merchant
// rate limit apply; errors get the envelope from the app's error handler.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError, EntityId, can, type Permission } from "@mkt-x/core";
import { exportContactsCsv, importContactsCsv, scopeToMerchant, MAX_IMPORT_BYTES } from "@mkt-x/core/server";
import type { Db } from "@mkt-x/db";
import type { AuthClaims } from "../auth/verify-token.ts";
import "../trpc/context.ts";

export const CSV_MEDIA_TYPES = ["text/csv", "application/csv"];
const AccountQuery = z.object({ accountId: EntityId });

/** The caller, when authenticated and allowed (the same rules as the tRPC procedures). */
export function caller(request: FastifyRequest, permission: Permission): AuthClaims {
  const auth = request.auth;
  if (!auth) throw new AppError("UNAUTHORIZED", request.authError ?? "Authentication required");
  if (!can(auth.role, permission)) throw new AppError("FORBIDDEN", `Role '${auth.role}' may not do this`);
  return auth;
}

/** Lets a plugin take text/csv bodies unread, as streams (each plugin scope needs its own parser). */
export function acceptCsvBodies(app: FastifyInstance): void {
  app.addContentTypeParser(CSV_MEDIA_TYPES, (_request, payload, done) => done(null, payload));
}

/**
 * Runs an import on the request body as it arrives (every CSV import: contacts, products): 415
 * unless text/csv, 413 early for a declared size over the bound, and on failure the unread rest
 * of the upload is left unread (the connection closes with the answer).
 */
export async function streamCsvImport<T>(request: FastifyRequest, reply: FastifyReply, run: (csv: Readable) => Promise<T>): Promise<T> {
  const body = request.body;
  if (!(body instanceof Readable)) {
    throw new AppError("VALIDATION_ERROR", "Send the CSV as the request body with Content-Type: text/csv", [{ field: "content-type", message: "must be text/csv" }], 415);
  }
  try {
    // a declared size over the limit is refused before a byte of it is read
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES) {
      throw new AppError("VALIDATION_ERROR", `The CSV is larger than ${MAX_IMPORT_BYTES} bytes`, { field: "body", reason: `more than ${MAX_IMPORT_BYTES} bytes` }, 413);
    }
    return await run(body);
  } catch (e) {
    // whatever of the upload is left unread is not read: the connection ends with this answer
    if (!body.readableEnded) reply.header("connection", "close");
    throw e;
  }
}

export async function contactsCsvRoutes(app: FastifyInstance, deps: { db: Db }) {
  // the body is handed over unread: the import consumes it as it arrives, whatever its size
  acceptCsvBodies(app);

  app.post("/contacts/import", async (request, reply) => {
    const auth = caller(request, "inbox");
    const { accountId } = AccountQuery.parse(request.query);
    const result = await streamCsvImport(request, reply, (csv) => importContactsCsv(scopeToMerchant(deps.db, auth.merchantId), { merchantId: auth.merchantId, accountId, csv }));
    return { success: true, data: result };
  });

  app.get("/contacts/export", async (request, reply) => {
    const auth = caller(request, "read");
    const { accountId } = AccountQuery.parse(request.query);
    const exported = await exportContactsCsv(scopeToMerchant(deps.db, auth.merchantId), { merchantId: auth.merchantId, accountId });
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="contacts-${exported.accountId}.csv"`)
      .send(Readable.from(exported.chunks));
  });
}
