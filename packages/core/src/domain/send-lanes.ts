// Priority lanes inside every send window. X's windows are small (15 DMs per 15 minutes per user on
// pay-per-use), so who gets the last slots matters: a person waiting for an agent's answer comes
// first, then the confirmation that STOP was heard, then the bot's answer, then flows, and campaigns
// last. Each lane may fill a window only up to its ceiling; what lies above it is kept for the lanes
// before it, so a campaign that fills its share never delays a human's reply. The same order decides
// which queued send a worker takes first (the job's priority).

export const SEND_LANES = ["agent", "optout", "bot", "flow", "campaign"] as const;
export type SendLane = (typeof SEND_LANES)[number];

/** The share of each window a lane may fill (the rest stays free for the lanes above it). */
export const LANE_CEILING: Readonly<Record<SendLane, number>> = { agent: 1, optout: 0.95, bot: 0.9, flow: 0.85, campaign: 0.8 };

/** pg-boss job priority (higher runs first). */
export const LANE_PRIORITY: Readonly<Record<SendLane, number>> = { agent: 40, optout: 30, bot: 20, flow: 10, campaign: 0 };

/** Lanes that send to many people on the merchant's initiative: they get a fair share of the app's window. */
export const BULK_LANES: ReadonlySet<SendLane> = new Set(["flow", "campaign"]);

/** The lane of an outbound message, from its origin (inbox | test | system | ai | flow | campaign). */
export function laneOf(origin: string): SendLane {
  switch (origin) {
    case "system":
      return "optout";
    case "ai":
      return "bot";
    case "flow":
      return "flow";
    case "campaign":
      return "campaign";
    default:
      // an agent's reply, a test send someone is watching arrive
      return "agent";
  }
}

/**
 * How much of a window of `limit` a lane may fill: its share, rounded down, but never less than one
 * slot (a window of one has no room to keep free) and never more than the limit.
 */
export function laneCeiling(lane: SendLane, limit: number): number {
  if (limit <= 0) return 0;
  return Math.min(limit, Math.max(1, Math.floor(limit * LANE_CEILING[lane])));
}

/**
 * A merchant's fair share of the app's window for bulk sends: the bulk ceiling divided among the
 * merchants sending in bulk in the window (the asking one included). One merchant alone may use all
 * of it; when others start, the one over its share waits while the others catch up.
 */
export function fairShare(bulkCeiling: number, activeMerchants: number): number {
  return Math.max(1, Math.floor(bulkCeiling / Math.max(1, activeMerchants)));
}
