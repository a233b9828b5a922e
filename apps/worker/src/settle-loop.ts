// Every few seconds, the settle pass (packages/core settle-campaigns.ts): campaigns reach their final
// state soon after a crash. Every worker runs it; a lock lets one pass run at a time.
import { settleCampaigns, type CampaignRunDeps } from "@mkt-x/core/server";
import { wakeableSleep } from "./wakeable-sleep.ts";
import type { WorkerLog } from "./worker.ts";

export const SETTLE_INTERVAL_MS = 5000;

export function startSettleLoop(opts: { deps: CampaignRunDeps; log: WorkerLog; intervalMs?: number }): { stop: () => Promise<void> } {
  let stopped = false;
  const pause = wakeableSleep(() => stopped);
  const loop = (async () => {
    while (!stopped) {
      pause.clear();
      try {
        const result = await settleCampaigns(opts.deps);
        if (result && result.completed + result.redispatched + result.requeued > 0) opts.log.info(result, "campaigns settled");
      } catch (e) {
        // the database away (a restart): the next round tries again
        opts.log.error({ err: e instanceof Error ? e.message : String(e) }, "settle pass failed");
      }
      await pause.sleep(opts.intervalMs ?? SETTLE_INTERVAL_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      pause.nudge();
      await loop;
    },
  };
}
