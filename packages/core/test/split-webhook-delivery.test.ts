import { describe, expect, it } from "vitest";
import { splitWebhookDelivery } from "../src/server/services/webhooks/split-webhook-delivery.ts";

const dm = (id: string) => ({ type: "message_create", id, created_timestamp: "1642000000000", message_create: { sender_id: "2", target: { recipient_id: "1" }, message_data: { text: "hi" } } });

describe("splitting X deliveries into events", () => {
  it("keys direct messages by X's event id and keeps the users map with each", () => {
    const events = splitWebhookDelivery({ for_user_id: "1", direct_message_events: [dm("10"), dm("11")], users: { "2": { id: "2", screen_name: "c" } } });
    expect(events.map((e) => [e.eventKey, e.kind, e.forUserId])).toEqual([
      ["dm:10", "direct_message", "1"],
      ["dm:11", "direct_message", "1"],
    ]);
    expect(events[0]?.payload).toMatchObject({ direct_message_events: [dm("10")], users: { "2": { screen_name: "c" } } });
  });

  it("keys the sender's copy of a DM apart from the recipient's, so a DM between two connected accounts is an event for each", () => {
    const toRecipient = splitWebhookDelivery({ for_user_id: "1", direct_message_events: [dm("12")] });
    const toSender = splitWebhookDelivery({ for_user_id: "2", direct_message_events: [dm("12")] });
    expect(toRecipient.map((e) => [e.eventKey, e.forUserId])).toEqual([["dm:12", "1"]]);
    expect(toSender.map((e) => [e.eventKey, e.forUserId])).toEqual([["dm:12:sent", "2"]]);
    // the same copy delivered again keeps its key
    expect(splitWebhookDelivery({ for_user_id: "2", direct_message_events: [dm("12")] })[0]?.eventKey).toBe("dm:12:sent");
  });

  it("gives the same keys to a replayed delivery and different keys to different events", () => {
    const follow = { for_user_id: "1", follow_events: [{ type: "follow", created_timestamp: "1", source: { id: "2" }, target: { id: "1" } }] };
    const read = { for_user_id: "1", direct_message_mark_read_events: [{ created_timestamp: "1", sender_id: "2", target: { recipient_id: "1" }, last_read_event_id: "10" }] };
    expect(splitWebhookDelivery(follow)[0]?.eventKey).toBe(splitWebhookDelivery(structuredClone(follow))[0]?.eventKey);
    expect(splitWebhookDelivery(follow)[0]?.kind).toBe("follow");
    expect(splitWebhookDelivery(read)[0]).toMatchObject({ eventKey: "read:2:1:10", kind: "direct_message_read" });
    const typing = { for_user_id: "1", direct_message_indicate_typing_events: [{ created_timestamp: "5", sender_id: "2", target: { recipient_id: "1" } }] };
    expect(splitWebhookDelivery(typing)[0]).toMatchObject({ eventKey: "typing:2:1:5", kind: "direct_message_indicate_typing" });
    const unknownA = splitWebhookDelivery({ for_user_id: "1", something_new_events: [{ a: 1 }] });
    const unknownB = splitWebhookDelivery({ for_user_id: "1", something_new_events: [{ a: 2 }] });
    expect(unknownA[0]?.kind).toBe("something_new");
    expect(unknownA[0]?.eventKey).not.toBe(unknownB[0]?.eventKey);
  });

  it("understands the X Activity API envelope", () => {
    const events = splitWebhookDelivery({ data: { event_type: "dm.received", event_uuid: "abc", filter: { user_id: "1" }, payload: { text: "hi" } } });
    expect(events).toEqual([expect.objectContaining({ eventKey: "xaa:dm.received:abc", kind: "dm.received", forUserId: "1" })]);
  });

  it("keeps deliveries it does not understand as one unknown event", () => {
    expect(splitWebhookDelivery({ hello: "world" })[0]?.kind).toBe("unknown");
    expect(splitWebhookDelivery([1, 2])[0]?.kind).toBe("unknown");
  });

  it("takes AAA's user_event.revoke (an object, not an array) as one event of the revoking user, keyed stably", () => {
    const body = { user_event: { revoke: { date_time: "2026-12-04T10:00:00+00:00", target: { app_id: "13" }, source: { user_id: "63" } } } };
    expect(splitWebhookDelivery(body)).toEqual([{ eventKey: "revoke:63:2026-12-04T10:00:00+00:00", kind: "user_event.revoke", forUserId: "63", payload: body }]);
    expect(splitWebhookDelivery({ data: { event_type: "oauth.revoke", event_uuid: "u1", filter: { user_id: "63" }, payload: { user_id: "63" } } })[0]).toMatchObject({ eventKey: "xaa:oauth.revoke:u1", kind: "oauth.revoke", forUserId: "63" });
  });
});
