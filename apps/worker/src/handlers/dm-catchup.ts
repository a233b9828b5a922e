import { catchUpDms, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `dm.catchup` (at start and scheduled): each connected account's recent DM history from X, every
 * DM the webhook missed stored as its webhook event. An account X answers 429 for waits for the
 * next run (X's DM history window is 15 minutes, the run's period).
 */
export async function handleDmCatchup(deps: HandlerDeps, _payload: JobPayload<"dm.catchup">): Promise<void> {
  const accounts = await catchUpDms({ db: deps.db, x: deps.send.x, cipher: deps.send.cipher, queue: deps.send.queue });
  deps.log.info({ accounts, stored: accounts.reduce((n, a) => n + a.stored, 0) }, "dm.catchup");
}
