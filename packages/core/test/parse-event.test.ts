import { describe, expect, it } from "vitest";
import { parseEvent } from "../src/server/services/inbound/parse-event.ts";
import { optKeyword } from "../src/domain/opt-out.ts";

describe("parsing X events", () => {
  it("reads an Account Activity DM with its users, never swapping sender and recipient", () => {
    const e = parseEvent(
      "direct_message",
      {
        for_user_id: "100",
        direct_message_events: [{ type: "message_create", id: "9", created_timestamp: "1642000000000", message_create: { sender_id: "200", target: { recipient_id: "100" }, message_data: { text: "Hello!" } } }],
        users: { "200": { id: "200", screen_name: "john", name: "John", profile_image_url_https: "https://pbs.twimg.com/j.png" } },
      },
      null,
    );
    expect(e).toMatchObject({ type: "dm", eventId: "9", senderId: "200", recipientId: "100", text: "Hello!", quickReplyMetadata: null, forUserId: "100", at: new Date(1642000000000) });
    expect(e.type === "dm" && e.users.get("200")).toEqual({ id: "200", username: "john", name: "John", profileImageUrl: "https://pbs.twimg.com/j.png" });
  });

  it("reads revocations of both families (AAA user_event.revoke, XAA oauth.revoke); one without a user is ignored", () => {
    expect(parseEvent("user_event.revoke", { user_event: { revoke: { date_time: "2026-12-04T10:00:00+00:00", source: { user_id: "63" } } } }, "63")).toEqual({ type: "revoke", userId: "63", at: new Date("2026-12-04T10:00:00Z"), forUserId: "63" });
    expect(parseEvent("oauth.revoke", { data: { event_type: "oauth.revoke", filter: { user_id: "64" }, payload: { user_id: "64", created_at: "2026-12-04T10:00:00Z" } } }, null)).toMatchObject({ type: "revoke", userId: "64" });
    expect(parseEvent("user_event.revoke", { user_event: {} }, null)).toMatchObject({ type: "ignored" });
    expect(parseEvent("oauth.revoke", { data: { payload: {} } }, null)).toMatchObject({ type: "ignored" });
  });

  it("reads typing indicators of both families (AAA direct_message_indicate_typing_events, XAA dm.indicate_typing)", () => {
    expect(
      parseEvent("direct_message_indicate_typing", { for_user_id: "100", direct_message_indicate_typing_events: [{ created_timestamp: "1642000000000", sender_id: "200", target: { recipient_id: "100" } }] }, null),
    ).toEqual({ type: "typing", senderId: "200", accountUserId: "100", at: new Date(1642000000000), forUserId: "100" });
    // XAA: the account from recipient_id, else from the conversation's ids
    expect(parseEvent("dm.indicate_typing", { data: { event_type: "dm.indicate_typing", filter: { user_id: "100" }, payload: { sender_id: "200", recipient_id: "100", created_at: "2026-12-04T10:00:00Z" } } }, null)).toEqual({
      type: "typing",
      senderId: "200",
      accountUserId: "100",
      at: new Date("2026-12-04T10:00:00Z"),
      forUserId: "100",
    });
    expect(parseEvent("dm.indicate_typing", { data: { event_type: "dm.indicate_typing", payload: { sender_id: "200", dm_conversation_id: "100-200" } } }, null)).toMatchObject({ type: "typing", senderId: "200", accountUserId: "100" });
    expect(parseEvent("direct_message_indicate_typing", { direct_message_indicate_typing_events: [{ target: { recipient_id: "100" } }] }, null)).toMatchObject({ type: "ignored" });
    expect(parseEvent("dm.indicate_typing", { data: { payload: {} } }, null)).toMatchObject({ type: "ignored" });
  });

  it("reads the quick-reply option a person tapped (X's quick_reply_response metadata)", () => {
    const e = parseEvent(
      "direct_message",
      {
        for_user_id: "100",
        direct_message_events: [
          { type: "message_create", id: "10", created_timestamp: "1642000000000", message_create: { sender_id: "200", target: { recipient_id: "100" }, message_data: { text: "Red", quick_reply_response: { type: "options", metadata: "color:red" } } } },
        ],
      },
      null,
    );
    expect(e).toMatchObject({ type: "dm", text: "Red", quickReplyMetadata: "color:red" });
  });

  it("reads the X Activity API envelope for dm.received, dm.read and follow.follow", () => {
    const dm = parseEvent("dm.received", { data: { event_type: "dm.received", filter: { user_id: "100" }, payload: { dm_event_id: "77", sender_id: "200", participant_ids: ["200", "100"], text: "hi", created_at: "2026-01-18T09:00:00.000Z" } } }, null);
    expect(dm).toMatchObject({ type: "dm", eventId: "77", senderId: "200", recipientId: "100", text: "hi", forUserId: "100", at: new Date("2026-01-18T09:00:00.000Z") });
    const read = parseEvent("dm.read", { data: { event_type: "dm.read", filter: { user_id: "100" }, payload: { sender_id: "200", last_read_event_id: "77" } } }, null);
    expect(read).toMatchObject({ type: "read", readerId: "200", accountUserId: "100", lastReadEventId: "77" });
    const follow = parseEvent("follow.follow", { data: { event_type: "follow.follow", payload: { source: { id: "200", username: "fan" }, target: { id: "100" } } } }, null);
    expect(follow).toMatchObject({ type: "follow", followerId: "200", followedId: "100" });
  });

  it("keeps what it does not act on as ignored, with a reason", () => {
    expect(parseEvent("tweet_create", { tweet_create_events: [{ id: "1" }] }, "100")).toEqual({ type: "ignored", reason: expect.stringContaining("tweet_create"), forUserId: "100" });
    expect(parseEvent("direct_message", { direct_message_events: [{ id: "1" }] }, null)).toMatchObject({ type: "ignored" });
  });
});

describe("opt-out keywords", () => {
  it.each([
    ["STOP", "stop"],
    ["  stop  ", "stop"],
    ["Stop!", "stop"],
    ["Opt   Out", "stop"],
    ["unsubscribe", "stop"],
    ["dừng", "stop"],
    ["HỦY", "stop"],
    ["huỷ", "stop"],
    ["start", "start"],
    ["Bắt đầu", "start"],
    ["đăng ký", "start"],
    ["stop sending me this", null],
    ["please stop", null],
    ["", null],
  ])("%j → %s", (text, expected) => {
    expect(optKeyword(text)).toBe(expected);
  });

  it("ignores how the accents are composed", () => {
    expect(optKeyword("dừng".normalize("NFD"))).toBe("stop");
    expect(optKeyword("hủy".normalize("NFD"))).toBe("stop");
  });
});
