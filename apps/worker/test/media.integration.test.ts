// Media end to end: an agent's reply with an image goes through the API, the queue and the worker
// to the X sandbox, uploaded as the account and carried by the DM; a retry after X failed does not
// upload again nor send twice; a DM with a photo from a customer shows the photo on the message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhookPayload, type SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { CONSUMER_SECRET, eventually } from "./harness.ts";
import { PHOTO, sha256, startMediaServer, type MediaServer } from "../../api/test/media-server.ts";

let e: E2E;
let media: MediaServer;
let shop: SandboxUser;
let accountId: string;

beforeAll(async () => {
  media = await startMediaServer();
  // the media server is on this machine: WEBHOOK_ALLOW_PRIVATE_TARGETS=1 for the worker's fetch too
  e = await startE2E({ send: { mediaPolicy: { allowPrivate: true }, retryBaseMs: 50 } });
  await e.startWorker();
  ({ user: shop, accountId } = await e.connect());
});
afterAll(async () => {
  await e?.close();
  await media?.close();
});

interface Msg {
  id: string;
  status: string;
  direction: string;
  content: string;
  twitterMessageId: string | null;
  attachments: { type: string; url: string; mediaId?: string }[];
}

/** A customer writes (so there is a conversation); answers its id. */
async function conversationWith(customer: SandboxUser): Promise<string> {
  const delivery = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Do you have a picture?" });
  expect(delivery.delivered).toBe(true);
  const rows = await eventually(
    () => e.database.pool.query<{ id: string }>("SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1", [customer.id]).then((r) => r.rows),
    (r) => r.length === 1,
  );
  return rows[0]?.id ?? "";
}

const messagesOf = async (conversationId: string) => (await e.call<{ data: { messages: Msg[] } }>("GET", `/conversations/${conversationId}`)).body.data.messages;
const uploadsBy = (userId: string) => e.sandbox.requests().filter((r) => r.path === "/2/media/upload/initialize" && r.userId === userId).length;

describe("media end to end", () => {
  it("a reply with an image arrives at X with its media, uploaded as the account; the message shows X's mediaId", async () => {
    const customer = e.sandbox.addUser({ username: "media_fan" });
    const conversationId = await conversationWith(customer);
    const url = `${media.url}/photo.png`;
    const queued = await e.call<{ data: Msg }>("POST", `/conversations/${conversationId}/messages`, { content: "Here it is", attachments: [{ type: "image", url }] });
    expect(queued.status).toBe(200);

    const dm = await e.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    expect(dm).toMatchObject({ senderId: shop.id, text: "Here it is", mediaId: expect.stringMatching(/^\d+$/) });
    expect(e.sandbox.media().find((m) => m.mediaId === dm.mediaId)).toMatchObject({ ownerId: shop.id, category: "dm_image", mediaType: "image/png", sha256: sha256(PHOTO) });
    const sent = await eventually(() => messagesOf(conversationId), (ms) => ms.some((m) => m.direction === "outbound" && m.status === "sent"));
    expect(sent.find((m) => m.direction === "outbound")).toMatchObject({ twitterMessageId: dm.dmEventId, attachments: [{ type: "image", url, mediaId: dm.mediaId }] });

    // the same image again for this account: X still keeps it, so it is not uploaded again
    const uploads = uploadsBy(shop.id);
    await e.call("POST", `/conversations/${conversationId}/messages`, { content: "Once more", attachments: [{ type: "image", url }] });
    const again = await e.sandbox.waitForDm((d) => d.recipientId === customer.id && d.text === "Once more", 15_000);
    expect(again.mediaId).toBe(dm.mediaId);
    expect(uploadsBy(shop.id)).toBe(uploads);
  });

  it("X failing on the DM: the retry sends it once, with the media uploaded once", async () => {
    const customer = e.sandbox.addUser({ username: "media_retry" });
    const conversationId = await conversationWith(customer);
    const url = `${media.url}/loop.gif`;
    const uploads = uploadsBy(shop.id);
    e.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 503, count: 2 });
    await e.call("POST", `/conversations/${conversationId}/messages`, { content: "A GIF for you", attachments: [{ type: "gif", url }] });
    const dm = await e.sandbox.waitForDm((d) => d.recipientId === customer.id, 20_000);
    const sent = await eventually(() => messagesOf(conversationId), (ms) => ms.some((m) => m.direction === "outbound" && m.status === "sent"));
    expect(sent.filter((m) => m.direction === "outbound")).toEqual([expect.objectContaining({ twitterMessageId: dm.dmEventId, attachments: [{ type: "gif", url, mediaId: dm.mediaId }] })]);
    expect(e.sandbox.dms().filter((d) => d.recipientId === customer.id)).toHaveLength(1);
    expect(uploadsBy(shop.id)).toBe(uploads + 1);
    // three tries at the DM (two failed), one upload
    expect(e.sandbox.requests().filter((r) => r.method === "POST" && r.path === `/2/dm_conversations/with/${customer.id}/messages`)).toHaveLength(3);
  });

  it("a template's attachment goes with every campaign DM, uploaded once for the account and reused", async () => {
    const bad = await e.call<{ code: string; details: unknown }>("POST", "/templates", { name: "bad media", type: "text", content: "Hi", attachment: { type: "image", url: `${media.url}/page.html` } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toContain("attachment.url");

    const { user: brand, accountId: brandAccount } = await e.connect();
    const tag = "media_campaign";
    const customers = [0, 1, 2].map((i) => e.sandbox.addUser({ username: `${tag}_${i}` }));
    for (const c of customers) {
      await e.database.pool.query("INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at) VALUES ($1, $2, $3, $4, $5, now())", [e.merchantId, brandAccount, c.id, c.username, [tag]]);
    }
    const url = `${media.url}/clip.mp4`;
    const tpl = await e.call<{ data: { id: string; attachment: unknown } }>("POST", "/templates", { name: tag, type: "text", content: "New arrivals, watch:", attachment: { type: "video", url } });
    expect(tpl.status).toBe(200);
    expect(tpl.body.data.attachment).toEqual({ type: "video", url });
    const seg = await e.call<{ data: { id: string } }>("POST", "/segments", { name: tag, conditions: [{ field: "tags", operator: "contains", value: tag }] });
    const campaign = await e.call<{ data: { id: string } }>("POST", "/campaigns", { name: tag, type: "promotional", templateId: tpl.body.data.id, segmentIds: [seg.body.data.id], accountId: brandAccount });
    expect((await e.call("POST", `/campaigns/${campaign.body.data.id}/start`)).status).toBe(200);

    const dms = await eventually(async () => e.sandbox.dms().filter((d) => d.senderId === brand.id), (d) => d.length === 3, 20_000);
    expect(new Set(dms.map((d) => d.recipientId))).toEqual(new Set(customers.map((c) => c.id)));
    const mediaIds = new Set(dms.map((d) => d.mediaId));
    expect(mediaIds.size).toBe(1);
    expect([...mediaIds][0]).toMatch(/^\d+$/);
    expect(uploadsBy(brand.id)).toBe(1);
    expect(e.sandbox.media().find((m) => m.ownerId === brand.id)).toMatchObject({ category: "dm_video", mediaType: "video/mp4" });
  });

  it("a customer's DM with a photo (Account Activity) and one with a video (X Activity API) show the media URL and type", async () => {
    const customer = e.sandbox.addUser({ username: "media_sender" });
    const photoUrl = "https://ton.x.com/1.1/ton/data/dm/1/2/receipt.jpg";
    const delivery = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "my receipt", media: { type: "photo", url: photoUrl } });
    expect(delivery.delivered).toBe(true);
    const conversationId = (
      await eventually(
        () => e.database.pool.query<{ id: string }>("SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1", [customer.id]).then((r) => r.rows),
        (r) => r.length === 1,
      )
    )[0]?.id ?? "";

    // the X Activity API's shape of a DM with a video, signed as X signs it
    const signed = signWebhookPayload(CONSUMER_SECRET, {
      data: {
        event_type: "dm.received",
        event_uuid: "xaa-media-1",
        filter: { user_id: shop.id },
        payload: { dm_event_id: "1888000000000000001", sender_id: customer.id, participant_ids: [customer.id, shop.id], text: "and the unboxing", created_at: new Date().toISOString(), attachments: { media_keys: ["7_1888"] } },
        includes: { media: [{ media_key: "7_1888", type: "video", preview_image_url: "https://pbs.twimg.com/p.jpg", variants: [{ content_type: "video/mp4", bit_rate: 832000, url: "https://video.twimg.com/dm_video/1888/unboxing.mp4" }] }] },
      },
    });
    const posted = await fetch(`${e.base}/webhooks/twitter`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(posted.status).toBe(200);

    const messages = await eventually(() => messagesOf(conversationId), (ms) => ms.length === 2);
    expect(messages.map((m) => [m.content, m.attachments])).toEqual([
      ["my receipt", [{ type: "image", url: photoUrl }]],
      ["and the unboxing", [{ type: "video", url: "https://video.twimg.com/dm_video/1888/unboxing.mp4" }]],
    ]);
    expect(accountId).toBeTruthy();
  });
});
