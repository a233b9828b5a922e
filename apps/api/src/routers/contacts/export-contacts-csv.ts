import { ContactsCsvExport, ExportContactsCsvInput } from "@mkt-x/core";
import { exportContactsCsvText } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

/** Past this many contacts the export is only streamed (GET /contacts/export), never built in memory. */
export const MAX_TRPC_EXPORT_ROWS = 20_000;

/** tRPC only: the CSV as one string, for accounts up to MAX_TRPC_EXPORT_ROWS contacts. */
export const exportContactsCsvProcedure = readProcedure
  .input(ExportContactsCsvInput)
  .output(ContactsCsvExport)
  .query(({ ctx, input }) => exportContactsCsvText(ctx.db, { merchantId: ctx.merchantId, accountId: input.accountId, maxRows: MAX_TRPC_EXPORT_ROWS }));
