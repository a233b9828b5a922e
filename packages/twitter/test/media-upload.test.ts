// X's v2 chunked media upload through twitter-api-v2 against the sandbox, and DMs that carry it.
import { createHash } from "node:crypto";
import { XApiError } from "@mkt-x/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credsOf, startFixture, type Fixture } from "./support/sandbox-fixture.ts";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
/** bytes that start like a PNG; the sandbox, as X, takes the declared type */
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 7)]);

describe("media upload", () => {
  it("uploads in 1 MB chunks (initialize, append per chunk, finalize), signed as the user, and a DM carries it", async () => {
    const data = png(2.5 * 1024 * 1024);
    const before = f.sandbox.requests().length;
    const uploaded = await f.client.uploadMedia(f.creds, { data, mimeType: "image/png", category: "dm_image" });
    expect(uploaded.mediaId).toMatch(/^\d+$/);
    expect(uploaded.expiresAt.getTime()).toBeGreaterThan(Date.now() + 22 * 3600_000);

    const calls = f.sandbox.requests().slice(before).map((r) => [r.method, r.path, r.status, r.userId]);
    expect(calls).toEqual([
      ["POST", "/2/media/upload/initialize", 200, f.account.id],
      ["POST", `/2/media/upload/${uploaded.mediaId}/append`, 200, f.account.id],
      ["POST", `/2/media/upload/${uploaded.mediaId}/append`, 200, f.account.id],
      ["POST", `/2/media/upload/${uploaded.mediaId}/append`, 200, f.account.id],
      ["POST", `/2/media/upload/${uploaded.mediaId}/finalize`, 200, f.account.id],
    ]);
    expect(f.sandbox.media().find((m) => m.mediaId === uploaded.mediaId)).toMatchObject({ ownerId: f.account.id, mediaType: "image/png", category: "dm_image", totalBytes: data.length, state: "succeeded", sha256: sha256(data) });

    const sent = await f.client.sendDm(f.creds, "42", "Your tracking label", { mediaId: uploaded.mediaId });
    expect(f.sandbox.dms().find((d) => d.dmEventId === sent.dmEventId)).toMatchObject({ text: "Your tracking label", mediaId: uploaded.mediaId, recipientId: "42" });
  });

  it("a video is finalized, its STATUS asked, then usable", async () => {
    const data = Buffer.concat([Buffer.from("\x00\x00\x00\x18ftypmp42"), Buffer.alloc(4000, 1)]);
    const uploaded = await f.client.uploadMedia(f.creds, { data, mimeType: "video/mp4", category: "dm_video" });
    expect(f.sandbox.requests().at(-1)).toMatchObject({ method: "GET", path: "/2/media/upload", query: { command: "STATUS", media_id: uploaded.mediaId }, status: 200 });
  });

  it("a DM refuses media that another user uploaded, and an unknown media id", async () => {
    const other = f.sandbox.addUser({ username: "media_other" });
    const theirs = await f.client.uploadMedia(credsOf(other), { data: png(100), mimeType: "image/png", category: "dm_image" });
    for (const mediaId of [theirs.mediaId, "123"]) {
      const error = await f.client.sendDm(f.creds, "42", "hi", { mediaId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XApiError);
      expect(error).toMatchObject({ kind: "bad_request", status: 400 });
    }
  });

  it("refuses a bad signature (401) like every other endpoint, and an image over 5 MB at initialize (400)", async () => {
    const bad = await f.client.uploadMedia({ ...f.creds, accessSecret: "wrong" }, { data: png(100), mimeType: "image/png", category: "dm_image" }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ kind: "invalid_credentials", status: 401 });
    const big = await f.client.uploadMedia(f.creds, { data: png(5 * 1024 * 1024 + 1), mimeType: "image/png", category: "dm_image" }).catch((e: unknown) => e);
    expect(big).toMatchObject({ kind: "bad_request", status: 400 });
  });
});

describe("public replies to mentions", () => {
  it("postReply posts with reply.in_reply_to_tweet_id as the user, in the mention's thread; mention() delivers both payload families", async () => {
    const person = f.sandbox.addUser({ username: "mentioner" });
    const mention = await f.sandbox.mention({ fromUserId: person.id, toUserId: f.account.id, text: "@acme_store is my order shipped?" });
    expect(mention.delivered).toBe(false); // no webhook configured in this fixture
    const posted = await f.client.postReply(f.creds, "@mentioner yes, it left today", mention.postId);
    expect(f.sandbox.posts().find((p) => p.postId === posted.postId)).toMatchObject({ authorId: f.account.id, inReplyToPostId: mention.postId, conversationId: mention.conversationId, byApi: true });
    expect(f.sandbox.requests().at(-1)).toMatchObject({ method: "POST", path: "/2/tweets", status: 201, userId: f.account.id, body: { text: "@mentioner yes, it left today", reply: { in_reply_to_tweet_id: mention.postId } } });
    await expect(f.sandbox.waitForPost((p) => p.postId === posted.postId)).resolves.toMatchObject({ byApi: true });
    const bad = await f.client.postReply({ ...f.creds, accessSecret: "wrong" }, "hi", mention.postId).catch((e: unknown) => e);
    expect(bad).toMatchObject({ kind: "invalid_credentials", status: 401 });
  });
});
