// Inbound DMs with a photo, GIF or video, in both payload families X sends.
import { describe, expect, it } from "vitest";
import { parseEvent } from "../src/server/services/inbound/parse-event.ts";

const aaa = (attachment: object | undefined, text = "look https://t.co/abc") => ({
  for_user_id: "100",
  direct_message_events: [{ type: "message_create", id: "9", created_timestamp: "1642000000000", message_create: { sender_id: "200", target: { recipient_id: "100" }, message_data: { text, ...(attachment ? { attachment } : {}) } } }],
});

describe("inbound media", () => {
  it("AAA message_data.attachment.media: a photo's media_url_https, a GIF's and a video's best MP4; the t.co link leaves the text", () => {
    const photo = parseEvent("direct_message", aaa({ type: "media", media: { id_str: "5", type: "photo", url: "https://t.co/abc", media_url_https: "https://ton.x.com/1.1/ton/data/dm/9/5/photo.jpg" } }), null);
    expect(photo).toMatchObject({ type: "dm", text: "look", media: { type: "image", url: "https://ton.x.com/1.1/ton/data/dm/9/5/photo.jpg" } });
    const video = parseEvent(
      "direct_message",
      aaa({ type: "media", media: { type: "video", url: "https://t.co/abc", media_url_https: "https://pbs.twimg.com/thumb.jpg", video_info: { variants: [{ content_type: "video/mp4", bitrate: 256000, url: "https://video.twimg.com/low.mp4" }, { content_type: "video/mp4", bitrate: 832000, url: "https://video.twimg.com/high.mp4" }, { content_type: "application/x-mpegURL", url: "https://video.twimg.com/pl.m3u8" }] } } }),
      null,
    );
    expect(video).toMatchObject({ media: { type: "video", url: "https://video.twimg.com/high.mp4" } });
    const gif = parseEvent("direct_message", aaa({ type: "media", media: { type: "animated_gif", media_url_https: "https://pbs.twimg.com/tweet_video_thumb/g.jpg" } }), null);
    expect(gif).toMatchObject({ media: { type: "gif", url: "https://pbs.twimg.com/tweet_video_thumb/g.jpg" } });
    expect(parseEvent("direct_message", aaa(undefined, "plain"), null)).toMatchObject({ text: "plain", media: null });
  });

  it("X Activity API: attachments.media_keys resolved in includes.media", () => {
    const payload = {
      data: {
        event_type: "dm.received",
        filter: { user_id: "100" },
        payload: { dm_event_id: "78", sender_id: "200", participant_ids: ["200", "100"], text: "see", created_at: "2026-01-18T09:00:00.000Z", attachments: { media_keys: ["3_55"] } },
        includes: { media: [{ media_key: "3_1", type: "photo", url: "https://pbs.twimg.com/other.jpg" }, { media_key: "3_55", type: "photo", url: "https://pbs.twimg.com/media/55.jpg" }] },
      },
    };
    expect(parseEvent("dm.received", payload, null)).toMatchObject({ type: "dm", eventId: "78", text: "see", media: { type: "image", url: "https://pbs.twimg.com/media/55.jpg" } });
    const video = { data: { ...payload.data, payload: { ...payload.data.payload, attachments: { media_keys: ["7_9"] } }, includes: { media: [{ media_key: "7_9", type: "video", preview_image_url: "https://pbs.twimg.com/p.jpg", variants: [{ content_type: "video/mp4", bit_rate: 100, url: "https://video.twimg.com/v.mp4" }] }] } } };
    expect(parseEvent("dm.received", video, null)).toMatchObject({ media: { type: "video", url: "https://video.twimg.com/v.mp4" } });
  });
});
