// An agent's reply with media: the URL is fetched and checked before anything is queued (400 when
// it cannot be fetched, is not media of that type, is over X's limit or points where outgoing
// webhooks may not), at most one item (X's limit); once sent, X's media id shows on the message and
// the sandbox holds the very bytes, uploaded as the sending account.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMedia, MediaRefused } from "@mkt-x/core/server";
import { startHarness, type Harness } from "./harness.ts";
import { connectAccount, insertAccount, insertInboxContact, insertInboxConversation, newMerchant, uniqueUsername, type MessageBody, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";
import { GIF, MP4, PHOTO, sha256, startMediaServer, type MediaServer } from "./media-server.ts";

let h: Harness;
let media: MediaServer;
beforeAll(async () => {
  // a media server on this machine: the address rule as with WEBHOOK_ALLOW_PRIVATE_TARGETS=1
  h = await startHarness({ webhookTargets: { allowPrivate: true } });
  media = await startMediaServer();
});
afterAll(async () => {
  await media?.close();
  await h?.close();
});

const pool = () => h.database.pool;

async function conversation() {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId, status: "active" });
  const contactId = await insertInboxContact(pool(), { merchantId, accountId });
  const conversationId = await insertInboxConversation(pool(), { merchantId, accountId, contactId });
  return { merchantId, conversationId, agent: await h.token({ merchantId, role: "agent", sub: randomUUID() }) };
}

const send = (token: string, id: string, body: unknown, base = "") => h.call<Success<MessageBody>>("POST", `${base}/conversations/${id}/messages`, { token, body });
const rowsOf = async (conversationId: string) => (await pool().query("SELECT id FROM messages WHERE conversation_id = $1", [conversationId])).rowCount;
const allSendJobs = async () => (await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send'")).rows[0]?.n ?? 0;

describe("POST /conversations/{id}/messages with an attachment", () => {
  it.each([
    ["an image", "image", "/photo.png"],
    ["a GIF", "gif", "/loop.gif"],
    ["a video", "video", "/clip.mp4"],
    ["an image behind a redirect", "image", "/moved.png"],
  ])("queues %s with the message (one row, one job)", async (_label, type, path) => {
    const s = await conversation();
    const jobs = await allSendJobs();
    const attachments = [{ type, url: `${media.url}${path}` }];
    const message = expectSuccess(await send(s.agent, s.conversationId, { content: "Here it is", attachments }));
    expect(message).toMatchObject({ status: "queued", attachments });
    expect(await rowsOf(s.conversationId)).toBe(1);
    expect(await allSendJobs()).toBe(jobs + 1);
  });

  it.each([
    ["a URL that answers 404", "image", "/missing.png", /HTTP 404/],
    ["a page that is not an image", "image", "/page.html", /not an image.*text\/html/],
    ["bytes that are not what their Content-Type says", "image", "/liar.png", /bytes do not match/],
    ["an image over X's 5 MB (streamed, no length)", "image", "/huge.png", /larger than X's 5 MB/],
    ["an image sent as a video", "video", "/photo.png", /not a video/],
    ["a PNG sent as a GIF", "gif", "/photo.png", /not a GIF/],
  ])("refuses %s with 400 VALIDATION_ERROR on attachments.0.url, storing and queueing nothing", async (_label, type, path, reason) => {
    const s = await conversation();
    const jobs = await allSendJobs();
    const failure = expectFailure(await send(s.agent, s.conversationId, { content: "Here it is", attachments: [{ type, url: `${media.url}${path}` }] }), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["attachments.0.url"]);
    expect(JSON.stringify(failure)).toMatch(reason);
    expect(await rowsOf(s.conversationId)).toBe(0);
    expect(await allSendJobs()).toBe(jobs);
  });

  it("refuses two attachments (X takes one per DM) and a file, before fetching anything", async () => {
    const s = await conversation();
    const before = media.hits("/photo.png");
    const two = expectFailure(await send(s.agent, s.conversationId, { content: "x", attachments: [{ type: "image", url: `${media.url}/photo.png` }, { type: "image", url: `${media.url}/photo.png` }] }), 400, "VALIDATION_ERROR");
    expect(detailFields(two)).toEqual(["attachments"]);
    const file = expectFailure(await send(s.agent, s.conversationId, { content: "x", attachments: [{ type: "file", url: `${media.url}/photo.png` }] }), 400, "VALIDATION_ERROR");
    expect(detailFields(file)).toEqual(["attachments.0.type"]);
    expect(media.hits("/photo.png")).toBe(before);
    expect(await rowsOf(s.conversationId)).toBe(0);
  });

  it("follows the outgoing-webhook address rule: loopback and private addresses are refused unless allowed", async () => {
    for (const url of [`${media.url}/photo.png`, "http://10.0.0.1/a.png", "http://[::1]/a.png", "http://169.254.169.254/latest"]) {
      const refused = await fetchMedia({ url, type: "image", policy: { allowPrivate: false }, keep: false }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MediaRefused);
      expect(refused).toMatchObject({ code: "VALIDATION_ERROR", details: [{ field: "attachments.0.url" }] });
    }
    // a public name that resolves to a private address is refused at connect time too
    const rebound = await fetchMedia({ url: "http://media.example.test/a.png", type: "image", policy: { allowPrivate: false, resolve: async () => [{ address: "127.0.0.1", family: 4 }] }, keep: false }).catch((e: unknown) => e);
    expect(rebound).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringMatching(/non-public/) });
    await expect(fetchMedia({ url: `${media.url}/photo.png`, type: "image", policy: { allowPrivate: true }, keep: true })).resolves.toMatchObject({ mimeType: "image/png", size: PHOTO.length });
  });

  it("with immediate delivery: the DM reaches X with the media uploaded as the account, and the message shows X's mediaId", async () => {
    const api = await h.startInstance({ deliverNow: true, webhookTargets: { allowPrivate: true } });
    const merchantId = newMerchant();
    const agent = await h.token({ merchantId, role: "agent" });
    const { user: shop, account } = await connectAccount(h, { token: await h.token({ merchantId, role: "admin" }) });
    const customer = h.sandbox.addUser({ username: uniqueUsername("media") });
    const contactId = await insertInboxContact(pool(), { merchantId, accountId: account.id, twitterUserId: customer.id });
    const conversationId = await insertInboxConversation(pool(), { merchantId, accountId: account.id, contactId });

    for (const [type, path, bytes, mimeType] of [["image", "/photo.png", PHOTO, "image/png"], ["gif", "/loop.gif", GIF, "image/gif"], ["video", "/clip.mp4", MP4, "video/mp4"]] as const) {
      const sent = expectSuccess(await send(agent, conversationId, { content: `Your ${type}`, attachments: [{ type, url: `${media.url}${path}` }] }, api.base));
      const dm = h.sandbox.dms().find((d) => d.dmEventId === sent.twitterMessageId);
      expect(dm).toMatchObject({ senderId: shop.id, recipientId: customer.id, text: `Your ${type}`, mediaId: expect.stringMatching(/^\d+$/) });
      expect(sent).toMatchObject({ status: "sent", attachments: [{ type, url: `${media.url}${path}`, mediaId: dm?.mediaId }] });
      expect(h.sandbox.media().find((m) => m.mediaId === dm?.mediaId)).toMatchObject({ ownerId: shop.id, mediaType: mimeType, category: `dm_${type}`, totalBytes: bytes.length, sha256: sha256(bytes), state: "succeeded" });
    }
    // the message reads back with its media id
    const read = expectSuccess(await h.call<Success<{ messages: MessageBody[] }>>("GET", `/conversations/${conversationId}`, { token: agent }));
    expect(read.messages.map((m) => m.attachments[0]?.mediaId)).toEqual(h.sandbox.dms().filter((d) => d.recipientId === customer.id).map((d) => d.mediaId));
  });
});
