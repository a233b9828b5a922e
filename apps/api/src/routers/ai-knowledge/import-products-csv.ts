import { Readable } from "node:stream";
import { ImportProductsCsvInput, ProductsCsvImportResult } from "@mkt-x/core";
import { importProductsCsv } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

/** tRPC only, for small files in a JSON body; big ones stream to POST /ai/knowledge/products/import (rest/knowledge-csv.ts). */
export const importProductsCsvProcedure = adminProcedure
  .input(ImportProductsCsvInput)
  .output(ProductsCsvImportResult)
  .mutation(({ ctx, input }) => importProductsCsv(ctx.db, { merchantId: ctx.merchantId, csv: Readable.from([input.csv]) }));
