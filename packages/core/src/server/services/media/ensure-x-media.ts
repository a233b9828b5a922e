// The X media id of an attachment for an account: the one uploaded earlier while X still keeps it
// (a retried send, a template's attachment in a campaign), else fetched and uploaded now and kept.
import type { Db } from "@mkt-x/db";
import type { MediaType } from "../../../contract/messages.ts";
import type { XClient, XCredentials } from "../../../ports/x-client.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { fetchMedia, toUpload } from "./fetch-media.ts";

/** a media id this close to its expiry is not used: the send could land after it */
const EXPIRY_MARGIN_MS = 10 * 60_000;

export interface EnsureXMediaOptions {
  db: Db;
  x: XClient;
  creds: XCredentials;
  merchantId: string;
  accountId: string;
  attachment: { type: MediaType; url: string };
  target?: "dm" | "tweet";
  policy: TargetPolicy;
  now: Date;
  /** uploads in flight in this process, by key: one batch of campaign DMs uploads a template's media once */
  inFlight?: Map<string, Promise<string>>;
}

export async function ensureXMedia(opts: EnsureXMediaOptions): Promise<string> {
  const target = opts.target ?? "dm";
  const { type, url } = opts.attachment;
  const key = `${opts.accountId}\u0000${target}\u0000${type}\u0000${url}`;
  const pending = opts.inFlight?.get(key);
  if (pending) return pending;
  const run = (async () => {
    const kept = await opts.db.xMedia.findFirst({
      where: { accountId: opts.accountId, target, type, url, expiresAt: { gt: new Date(opts.now.getTime() + EXPIRY_MARGIN_MS) } },
      select: { mediaId: true },
    });
    if (kept) return kept.mediaId;
    const fetched = await fetchMedia({ url, type, policy: opts.policy, keep: true });
    if (!fetched.data) throw new Error("fetched media kept no bytes");
    const uploaded = await opts.x.uploadMedia(opts.creds, toUpload(type, { ...fetched, data: fetched.data }, target));
    const row = { mimeType: fetched.mimeType, size: fetched.size, mediaId: uploaded.mediaId, expiresAt: uploaded.expiresAt, createdAt: opts.now };
    await opts.db.xMedia.upsert({
      where: { accountId_target_type_url: { accountId: opts.accountId, target, type, url } },
      create: { merchantId: opts.merchantId, accountId: opts.accountId, target, type, url, ...row },
      update: row,
    });
    return uploaded.mediaId;
  })();
  opts.inFlight?.set(key, run);
  try {
    return await run;
  } finally {
    opts.inFlight?.delete(key);
  }
}
