// Writes live events into the outbox (live_events) inside the caller's transaction and NOTIFYs
// channel mktx_events, which PostgreSQL delivers only when that transaction commits: an event is
// never announced for a change that rolled back, and never lost for one that committed (readers
// catch up from the table). Pass the transaction the change is written in, never the root client.
import type { Tx } from "@mkt-x/db";
import type { LiveEventType } from "../../contract/events.ts";

export const LIVE_EVENTS_CHANNEL = "mktx_events";

export interface NewLiveEvent {
  merchantId: string;
  type: LiveEventType;
  /** the resource as the REST API shows it (JSON-serialisable) */
  data: unknown;
}

/** Records events in the caller's transaction; one statement whatever their number. */
export async function recordEvents(tx: Pick<Tx, "$executeRaw">, events: readonly NewLiveEvent[]): Promise<void> {
  if (events.length === 0) return;
  const payload = JSON.stringify(events.map((e) => ({ m: e.merchantId, t: e.type, d: e.data ?? null })));
  // One INSERT … SELECT from a JSON array, then one notify carrying the highest id written.
  // The transaction's xid is taken (materialized) before any id: a reader that sees a gap in the
  // ids and then takes an xid of its own knows the gap's holder has a lower one, so the gap is
  // final once a snapshot's xmin passes it (see the API's event bus).
  await tx.$executeRaw`
    WITH x AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
    ins AS (
      INSERT INTO live_events (merchant_id, type, data, tx_id)
      SELECT e->>'m', e->>'t', e->'d', x.xid FROM x, jsonb_array_elements(${payload}::jsonb) AS e
      RETURNING id
    )
    SELECT pg_notify(${LIVE_EVENTS_CHANNEL}, max(id)::text) FROM ins`;
}

export async function recordEvent(tx: Pick<Tx, "$executeRaw">, event: NewLiveEvent): Promise<void> {
  await recordEvents(tx, [event]);
}
