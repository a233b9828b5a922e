// The outgoing-webhook relay: turns committed live events into deliveries (one per event and
// subscribed active subscription) and their `webhook.deliver` jobs, and moves its cursor, all in one
// transaction, so nothing is lost or created twice, with any number of worker processes.
//
// Order: live_events ids are taken before commit, so a smaller id can commit after a larger one.
// Following ids and holding back rows whose tx_id is not below the snapshot's xmin is not enough:
// transaction A (xid 100) writes id 11 while an older-id writer B (xid 101, id 10) is still open;
// A's row passes the xmin test (100 < 101) while B's row is not visible yet, and a cursor on ids
// would pass 10 for ever. So the relay walks (tx_id, id) instead and reads only rows whose
// transaction is older than every transaction still running (tx_id < xmin): that set is final
// (no such transaction can still write) and fully visible, and a later read only adds rows after
// the position. The position is kept in live_event_cursors ('webhooks': last_tx_id,
// last_tx_event_id); last_id there is the low-water mark the retention sweep reads.
import type { Db } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { WEBHOOK_RETRY_WINDOW_MS } from "./deliver-webhook.ts";

export const WEBHOOK_RELAY_CURSOR = "webhooks";
export const DEFAULT_RELAY_BATCH = 500;
// one relay at a time across processes; an advisory lock takes no transaction id, so holding it
// does not hold back the xmin the relay itself reads
const RELAY_LOCK_KEY = 0x6d6b7478_0001n;

export interface RelayResult {
  /** live events read in this batch */
  relayed: number;
  /** deliveries created */
  deliveries: number;
  /** the batch was full: call again right away */
  more: boolean;
  /** committed events wait behind an older transaction still open: look again soon */
  heldBack: boolean;
  /** another process holds the relay */
  busy: boolean;
}

interface BatchRow {
  relayed: number;
  last_tx: string | null;
  last_event: bigint | null;
  deliveries: { id: string; subscription_id: string }[] | null;
  held_back: boolean;
}

export async function relayLiveEvents(deps: { db: Db; queue: JobQueue; batchSize?: number }): Promise<RelayResult> {
  const limit = deps.batchSize ?? DEFAULT_RELAY_BATCH;
  return deps.db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS locked`;
      if (!lock?.locked) return { relayed: 0, deliveries: 0, more: false, heldBack: false, busy: true };
      const cursors = await tx.$queryRaw<{ tx: string; event: bigint }[]>`
        SELECT COALESCE(last_tx_id, '0'::xid8)::text AS tx, COALESCE(last_tx_event_id, 0) AS event
        FROM live_event_cursors WHERE name = ${WEBHOOK_RELAY_CURSOR}`;
      const cursor = cursors[0] ?? { tx: "0", event: 0n };
      const retryUntilMs = WEBHOOK_RETRY_WINDOW_MS;
      const [batch] = await tx.$queryRaw<BatchRow[]>`
        WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
        ev AS (
          SELECT e.id, e.tx_id, e.merchant_id, e.type, e.data, e.at FROM live_events e, horizon h
          WHERE (e.tx_id, e.id) > (${cursor.tx}::xid8, ${cursor.event}::bigint) AND e.tx_id < h.xmin
          ORDER BY e.tx_id, e.id
          LIMIT ${limit}
        ),
        ins AS (
          INSERT INTO webhook_deliveries (merchant_id, subscription_id, event_id, event_type, body, retry_until)
          SELECT e.merchant_id, s.id, e.id, e.type,
            -- the body's bytes, fixed here: every attempt sends (and signs) exactly these
            '{"id":' || to_json(e.id::text)::text || ',"type":' || to_json(e.type)::text
              || ',"at":' || to_json(to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
              || ',"merchantId":' || to_json(e.merchant_id)::text || ',"data":' || e.data::text || '}',
            now() + make_interval(secs => ${retryUntilMs / 1000})
          -- events of changes made after the subscription was (a lagging relay does not send older ones)
          FROM ev e JOIN webhook_subscriptions s ON s.merchant_id = e.merchant_id AND s.active AND e.type = ANY (s.events) AND s.created_at <= e.at
          ORDER BY e.tx_id, e.id
          ON CONFLICT (subscription_id, event_id) DO NOTHING
          RETURNING id, subscription_id, event_id
        ),
        last AS (SELECT tx_id, id FROM ev ORDER BY tx_id DESC, id DESC LIMIT 1)
        SELECT
          (SELECT count(*)::int FROM ev) AS relayed,
          (SELECT tx_id::text FROM last) AS last_tx,
          (SELECT id FROM last) AS last_event,
          (SELECT json_agg(json_build_object('id', id, 'subscription_id', subscription_id) ORDER BY event_id) FROM ins) AS deliveries,
          EXISTS (SELECT 1 FROM live_events e, horizon h WHERE e.tx_id >= h.xmin) AS held_back`;
      if (!batch) throw new Error("relay batch returned no row");
      const deliveries = batch.deliveries ?? [];
      if (batch.relayed > 0 && batch.last_tx !== null && batch.last_event !== null) {
        await deps.queue.sendMany("webhook.deliver", deliveries.map((d) => ({ deliveryId: d.id, subscriptionId: d.subscription_id })), { tx });
        // last_id: every visible row at or below it is relayed (the smallest row after the position, less one)
        await tx.$executeRaw`
          INSERT INTO live_event_cursors (name, last_id, last_tx_id, last_tx_event_id, updated_at)
          SELECT ${WEBHOOK_RELAY_CURSOR},
            COALESCE((SELECT min(id) - 1 FROM live_events WHERE (tx_id, id) > (${batch.last_tx}::xid8, ${batch.last_event}::bigint)), (SELECT max(id) FROM live_events), 0),
            ${batch.last_tx}::xid8, ${batch.last_event}, now()
          ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, last_tx_id = EXCLUDED.last_tx_id, last_tx_event_id = EXCLUDED.last_tx_event_id, updated_at = now()`;
      }
      return { relayed: batch.relayed, deliveries: deliveries.length, more: batch.relayed >= limit, heldBack: batch.held_back, busy: false };
    },
    { timeout: 60_000 },
  );
}
