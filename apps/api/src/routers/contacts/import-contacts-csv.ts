import { Readable } from "node:stream";
import { ContactsCsvImportResult, ImportContactsCsvInput } from "@mkt-x/core";
import { importContactsCsv } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

/** tRPC only, for small files in a JSON body; big ones stream to POST /contacts/import (rest/contacts-csv.ts). */
export const importContactsCsvProcedure = inboxProcedure
  .input(ImportContactsCsvInput)
  .output(ContactsCsvImportResult)
  .mutation(({ ctx, input }) => importContactsCsv(ctx.db, { merchantId: ctx.merchantId, accountId: input.accountId, csv: Readable.from([input.csv]) }));
