import { catchUpDms, replayWebhookEvents, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `dm.catchup` (at start and scheduled): each connected account's recent DM history from X, every
 * DM the webhook missed stored as its webhook event. An account X answers 429 for waits for the
 * next run (X's DM history window is 15 minutes, the run's period). Then X's replay of the app's
 * webhook events since the last run (POST /2/webhooks/replay): the mentions, replies and other
 * events missed while nothing answered come back through the webhook, applied once (same event keys).
 */
export async function handleDmCatchup(deps: HandlerDeps, _payload: JobPayload<"dm.catchup">): Promise<void> {
  const accounts = await catchUpDms({ db: deps.db, x: deps.send.x, cipher: deps.send.cipher, queue: deps.send.queue });
  deps.log.info({ accounts, stored: accounts.reduce((n, a) => n + a.stored, 0) }, "dm.catchup");
  // a window X did not take (429, or replay not in the app's X package) is logged with its reason and asked for again at the next run
  const replays = await replayWebhookEvents({ db: deps.db, x: deps.send.x });
  deps.log.info({ replays }, "dm.catchup: X's replay of the webhook events since the last run");
}
