// Splits one delivery from X into events, each with a stable key: X's event id where it has one,
// otherwise a digest of the event itself, so a replayed delivery maps to the same keys.
import { createHash } from "node:crypto";

export interface SplitEvent {
  eventKey: string;
  kind: string;
  forUserId: string | null;
  payload: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" || typeof v === "number" ? String(v) : null);
const digest = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 40);

/** Account Activity API arrays that are not events of their own. */
const CONTEXT_KEYS = new Set(["for_user_id", "users", "apps", "user_has_blocked", "source"]);

/** Longer keys are shortened to a prefix and a digest of the whole: stable, and within a btree index entry. */
const MAX_KEY_LENGTH = 200;
const bounded = (key: string) => (key.length <= MAX_KEY_LENGTH ? key : `${key.slice(0, 64)}…sha256:${createHash("sha256").update(key).digest("hex")}`);

export function splitWebhookDelivery(body: unknown): SplitEvent[] {
  // the ids in a key come from the payload: a huge one would not fit the unique index (a 500 for X)
  return splitEvents(body).map((e) => ({ ...e, eventKey: bounded(e.eventKey) }));
}

function splitEvents(body: unknown): SplitEvent[] {
  if (!isObj(body)) return [{ eventKey: `unknown:${digest(body)}`, kind: "unknown", forUserId: null, payload: { body } }];

  // X Activity API: { data: { event_type, payload, ... } }
  if (isObj(body.data) && typeof body.data.event_type === "string") {
    const data = body.data;
    const id = str(data.event_uuid) ?? str(data.id) ?? (isObj(data.payload) ? str(data.payload.event_id) ?? str(data.payload.id) : null);
    return [{ eventKey: `xaa:${str(data.event_type) ?? "unknown"}:${id ?? digest(data)}`, kind: String(data.event_type), forUserId: str(data.for_user_id) ?? str(data.filter && isObj(data.filter) ? data.filter.user_id : null), payload: body }];
  }

  const forUserId = str(body.for_user_id);
  // AAA's revocation is an object, not an array of events: { user_event: { revoke: { source: { user_id } } } }
  if (isObj(body.user_event) && isObj(body.user_event.revoke)) {
    const revoke = body.user_event.revoke;
    const userId = (isObj(revoke.source) ? str(revoke.source.user_id) : null) ?? forUserId;
    return [{ eventKey: `revoke:${userId}:${str(revoke.date_time) ?? digest(revoke)}`, kind: "user_event.revoke", forUserId: userId, payload: body }];
  }
  const users = isObj(body.users) ? body.users : undefined;
  const events: SplitEvent[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (CONTEXT_KEYS.has(key) || !Array.isArray(value)) continue;
    for (const item of value) {
      events.push({ eventKey: eventKeyOf(key, item, forUserId), kind: kindOf(key, item), forUserId, payload: { for_user_id: forUserId, [key]: [item], ...(users ? { users } : {}) } });
    }
  }
  if (events.length === 0) events.push({ eventKey: `unknown:${digest(body)}`, kind: "unknown", forUserId, payload: body });
  return events;
}

function kindOf(key: string, item: unknown): string {
  if (key === "direct_message_events") return "direct_message";
  if (key === "direct_message_mark_read_events") return "direct_message_read";
  if (key === "follow_events") return isObj(item) && item.type === "unfollow" ? "unfollow" : "follow";
  if (key === "tweet_create_events") return "tweet_create";
  return key.replace(/_events$/, "");
}

function eventKeyOf(key: string, item: unknown, forUserId: string | null): string {
  const it = isObj(item) ? item : {};
  const id = str(it.id_str) ?? str(it.id);
  if (key === "direct_message_events" && id) {
    // a DM between two connected accounts comes twice, once for each: the sender's copy is its own event
    const sender = isObj(it.message_create) ? str(it.message_create.sender_id) : null;
    return forUserId !== null && sender === forUserId ? `dm:${id}:sent` : `dm:${id}`;
  }
  if (key === "tweet_create_events" && id) return `tweet:${id}`;
  if (key === "direct_message_mark_read_events") {
    const target = isObj(it.target) ? str(it.target.recipient_id) : null;
    return `read:${str(it.sender_id)}:${target}:${str(it.last_read_event_id)}`;
  }
  if (key === "direct_message_indicate_typing_events") {
    const target = isObj(it.target) ? str(it.target.recipient_id) : null;
    return `typing:${str(it.sender_id)}:${target}:${str(it.created_timestamp) ?? digest(item)}`;
  }
  if (key === "follow_events") {
    const source = isObj(it.source) ? str(it.source.id) : null;
    const target = isObj(it.target) ? str(it.target.id) : null;
    return `${str(it.type) ?? "follow"}:${source}:${target}:${str(it.created_timestamp)}`;
  }
  return `${key}:${id ?? digest(item)}`;
}
