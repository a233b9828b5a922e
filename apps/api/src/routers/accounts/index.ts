import { router } from "../../trpc/init.ts";
import { connectAccountProcedure } from "./connect-account.ts";
import { startXConnectProcedure } from "./start-x-connect.ts";
import { listAccountsProcedure } from "./list-accounts.ts";
import { getAccountProcedure } from "./get-account.ts";
import { updateAccountProcedure } from "./update-account.ts";
import { disconnectAccountProcedure } from "./disconnect-account.ts";

export const accountsRouter = router({
  connect: connectAccountProcedure,
  oauthStart: startXConnectProcedure,
  list: listAccountsProcedure,
  get: getAccountProcedure,
  update: updateAccountProcedure,
  disconnect: disconnectAccountProcedure,
});
