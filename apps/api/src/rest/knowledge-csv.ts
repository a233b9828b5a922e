// The product catalog's CSV import over plain HTTP, streamed like the contacts import (whose
// request handling it shares): POST /ai/knowledge/products/import with a text/csv body.
import type { FastifyInstance } from "fastify";
import { importProductsCsv, scopeToMerchant } from "@mkt-x/core/server";
import type { Db } from "@mkt-x/db";
import { acceptCsvBodies, caller, streamCsvImport } from "./contacts-csv.ts";

export async function knowledgeCsvRoutes(app: FastifyInstance, deps: { db: Db }) {
  acceptCsvBodies(app);
  app.post("/ai/knowledge/products/import", async (request, reply) => {
    const auth = caller(request, "admin");
    const result = await streamCsvImport(request, reply, (csv) => importProductsCsv(scopeToMerchant(deps.db, auth.merchantId), { merchantId: auth.merchantId, csv }));
    return { success: true, data: result };
  });
}
