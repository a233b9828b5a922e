// Turns a stored webhook event (either payload family X sends) into one of the few things the
// service acts on. Anything else is "ignored", kept but not an error.

export interface XUserInfo {
  id: string;
  username: string | null;
  name: string | null;
  profileImageUrl: string | null;
}

export type InboundEvent =
  | {
      type: "dm";
      eventId: string;
      senderId: string;
      recipientId: string;
      text: string;
      /** the metadata of the quick-reply option the person tapped, when X's client sent one */
      quickReplyMetadata: string | null;
      /** the photo, GIF or video the DM carried (X's CDN URL) */
      media: InboundMedia | null;
      at: Date;
      users: Map<string, XUserInfo>;
      forUserId: string | null;
    }
  | {
      /** a post that mentions the account or replies to one of its posts */
      type: "mention";
      postId: string;
      authorId: string;
      text: string;
      /** X's conversation_id (the thread's first post); AAA's v1.1 posts carry none: the post replied to, else the post */
      threadId: string;
      inReplyToPostId: string | null;
      /** https://x.com/{username}/status/{id} */
      url: string;
      /** the connected account's own post (its public reply, perhaps written in the X app): outbound, not a customer's */
      byAccount: boolean;
      at: Date;
      users: Map<string, XUserInfo>;
      forUserId: string | null;
    }
  | { type: "follow"; followerId: string; followedId: string; at: Date; users: Map<string, XUserInfo>; forUserId: string | null }
  | { type: "read"; readerId: string; accountUserId: string; lastReadEventId: string; at: Date; forUserId: string | null }
  | { type: "typing"; senderId: string; accountUserId: string; at: Date; forUserId: string | null }
  | { type: "revoke"; userId: string; at: Date; forUserId: string | null }
  | { type: "ignored"; reason: string; forUserId: string | null };

export interface InboundMedia {
  type: "image" | "gif" | "video";
  url: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null);
const first = (v: unknown): Obj | null => (Array.isArray(v) && isObj(v[0]) ? v[0] : null);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

function at(ms: unknown, iso?: unknown): Date {
  const n = Number(str(ms));
  if (Number.isFinite(n) && n > 0) return new Date(n);
  const d = typeof iso === "string" ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? d : new Date();
}

function userInfo(u: unknown): XUserInfo | null {
  if (!isObj(u)) return null;
  const id = str(u.id_str) ?? str(u.id);
  if (!id) return null;
  return {
    id,
    username: str(u.screen_name) ?? str(u.username),
    name: str(u.name),
    profileImageUrl: str(u.profile_image_url_https) ?? str(u.profile_image_url),
  };
}

function usersOf(v: unknown): Map<string, XUserInfo> {
  const map = new Map<string, XUserInfo>();
  const add = (u: unknown) => {
    const info = userInfo(u);
    if (info) map.set(info.id, info);
  };
  if (Array.isArray(v)) v.forEach(add);
  else if (isObj(v)) Object.values(v).forEach(add);
  return map;
}

const MEDIA_KINDS: Record<string, InboundMedia["type"]> = { photo: "image", animated_gif: "gif", video: "video" };
const httpUrl = (v: unknown): string | null => {
  const s = str(v);
  return s !== null && /^https?:\/\//.test(s) ? s : null;
};

/** Account Activity: message_data.attachment.media (media_url_https; a video's best MP4 variant when listed). */
function aaaMedia(data: Obj): InboundMedia | null {
  const media = obj(obj(data.attachment).media);
  const type = MEDIA_KINDS[str(media.type) ?? ""];
  if (!type) return null;
  const variants = Array.isArray(obj(media.video_info).variants) ? (obj(media.video_info).variants as unknown[]).map(obj) : [];
  const best = variants.filter((v) => str(v.content_type) === "video/mp4").sort((a, b) => Number(b.bitrate ?? 0) - Number(a.bitrate ?? 0))[0];
  const url = (type !== "image" ? httpUrl(best?.url) : null) ?? httpUrl(media.media_url_https) ?? httpUrl(media.media_url);
  return url ? { type, url } : null;
}

/** X Activity API (v2 shapes): attachments.media_keys resolved in includes.media. */
function xaaMedia(x: Obj, includes: unknown[]): InboundMedia | null {
  const keys = Array.isArray(obj(x.attachments).media_keys) ? (obj(x.attachments).media_keys as unknown[]).map(str) : [];
  const media = includes.map(obj).find((m) => keys.includes(str(m.media_key)));
  if (!media) return null;
  const type = MEDIA_KINDS[str(media.type) ?? ""];
  if (!type) return null;
  const variants = Array.isArray(media.variants) ? media.variants.map(obj) : [];
  const best = variants.filter((v) => str(v.content_type) === "video/mp4").sort((a, b) => Number(b.bit_rate ?? 0) - Number(a.bit_rate ?? 0))[0];
  const url = httpUrl(media.url) ?? httpUrl(best?.url) ?? httpUrl(media.preview_image_url);
  return url ? { type, url } : null;
}

/** X ends the text of a DM with media with the media's t.co link: the media is shown on its own. */
function withoutMediaLink(text: string, data: Obj): string {
  const link = str(obj(obj(data.attachment).media).url);
  return link && text.endsWith(link) ? text.slice(0, -link.length).trimEnd() : text;
}

/** A post's address on X; without the username, X's /i/web/status/ form. */
const postUrl = (username: string | null, postId: string): string => (username ? `https://x.com/${username}/status/${postId}` : `https://x.com/i/web/status/${postId}`);

export function parseEvent(kind: string, payload: unknown, forUserIdColumn: string | null): InboundEvent {
  const p = obj(payload);
  const forUserId = forUserIdColumn ?? str(p.for_user_id);

  if (kind === "direct_message") {
    const e = first(p.direct_message_events);
    const mc = obj(e?.message_create);
    const senderId = str(mc.sender_id);
    const recipientId = str(obj(mc.target).recipient_id);
    const eventId = str(e?.id);
    if (!e || !senderId || !recipientId || !eventId) return { type: "ignored", reason: "direct message without sender, recipient or id", forUserId };
    const data = obj(mc.message_data);
    const text = withoutMediaLink(str(data.text) ?? "", data);
    const quickReplyMetadata = str(obj(data.quick_reply_response).metadata);
    return { type: "dm", eventId, senderId, recipientId, text, quickReplyMetadata, media: aaaMedia(data), at: at(e.created_timestamp), users: usersOf(p.users), forUserId };
  }
  if (kind === "tweet_create") {
    // Account Activity: v1.1 post objects in tweet_create_events
    const e = first(p.tweet_create_events);
    const author = userInfo(e?.user);
    const postId = str(e?.id_str) ?? str(e?.id);
    if (!e || !author || !postId) return { type: "ignored", reason: "tweet_create without author or id", forUserId };
    // the account's own posts come back too: its replies in a thread, recorded as outbound
    const inReplyToPostId = str(e.in_reply_to_status_id_str);
    const text = str(obj(e.extended_tweet).full_text) ?? str(e.full_text) ?? str(e.text) ?? "";
    return { type: "mention", postId, authorId: author.id, text, threadId: str(e.conversation_id_str) ?? inReplyToPostId ?? postId, inReplyToPostId, url: postUrl(author.username, postId), byAccount: author.id === forUserId, at: at(e.timestamp_ms, e.created_at), users: new Map([[author.id, author]]), forUserId };
  }
  if (kind === "follow") {
    const e = first(p.follow_events);
    const source = userInfo(e?.source);
    const target = userInfo(e?.target);
    if (!source || !target) return { type: "ignored", reason: "follow without source or target", forUserId };
    return { type: "follow", followerId: source.id, followedId: target.id, at: at(e?.created_timestamp), users: new Map([[source.id, source], [target.id, target]]), forUserId };
  }
  if (kind === "direct_message_read") {
    const e = first(p.direct_message_mark_read_events);
    const readerId = str(e?.sender_id);
    const accountUserId = str(obj(e?.target).recipient_id);
    const lastReadEventId = str(e?.last_read_event_id);
    if (!readerId || !accountUserId || !lastReadEventId) return { type: "ignored", reason: "read receipt without reader, account or event id", forUserId };
    return { type: "read", readerId, accountUserId, lastReadEventId, at: at(e?.created_timestamp), forUserId };
  }
  if (kind === "direct_message_indicate_typing") {
    const e = first(p.direct_message_indicate_typing_events);
    const senderId = str(e?.sender_id);
    const accountUserId = str(obj(e?.target).recipient_id);
    if (!senderId || !accountUserId) return { type: "ignored", reason: "typing indicator without sender or recipient", forUserId };
    return { type: "typing", senderId, accountUserId, at: at(e?.created_timestamp), forUserId };
  }

  if (kind === "user_event.revoke") {
    // AAA: { user_event: { revoke: { date_time, target: { app_id }, source: { user_id } } } }
    const revoke = obj(obj(p.user_event).revoke);
    const userId = str(obj(revoke.source).user_id) ?? forUserId;
    if (!userId) return { type: "ignored", reason: "revoke without a user id", forUserId };
    return { type: "revoke", userId, at: at(null, revoke.date_time), forUserId };
  }

  // X Activity API: { data: { event_type, payload, ... } }
  const data = obj(p.data);
  const x = obj(data.payload);
  const xFor = forUserId ?? str(obj(data.filter).user_id);
  if (kind === "dm.received" || kind === "dm.sent") {
    const eventId = str(x.dm_event_id) ?? str(x.event_id) ?? str(x.id);
    const senderId = str(x.sender_id);
    const participants = Array.isArray(x.participant_ids) ? x.participant_ids.map(str).filter((v): v is string => v !== null) : [];
    const recipientId = str(x.recipient_id) ?? participants.find((id) => id !== senderId) ?? null;
    if (!eventId || !senderId || !recipientId) return { type: "ignored", reason: `${kind} without sender, recipient or id`, forUserId: xFor };
    const users = usersOf(x.users ?? obj(p.includes).users ?? obj(data.includes).users);
    const quickReplyMetadata = str(obj(x.quick_reply_response).metadata);
    const includedMedia = [x.includes, p.includes, data.includes].map((i) => obj(i).media).find(Array.isArray) ?? [];
    const media = xaaMedia(x, Array.isArray(includedMedia) ? includedMedia : []);
    return { type: "dm", eventId, senderId, recipientId, text: str(x.text) ?? "", quickReplyMetadata, media, at: at(null, x.created_at ?? data.created_at), users, forUserId: xFor };
  }
  if (kind === "post.mention.create" || kind === "post.reply.create") {
    const post = isObj(x.post) ? x.post : isObj(x.data) ? x.data : x;
    const postId = str(post.id);
    const authorId = str(post.author_id);
    if (!postId || !authorId) return { type: "ignored", reason: `${kind} without post id or author`, forUserId: xFor };
    const users = usersOf(obj(x.includes).users ?? obj(data.includes).users ?? obj(p.includes).users);
    const replied = Array.isArray(post.referenced_tweets) ? post.referenced_tweets.map(obj).find((r) => r.type === "replied_to") : undefined;
    const inReplyToPostId = str(replied?.id);
    return { type: "mention", postId, authorId, text: str(post.text) ?? "", threadId: str(post.conversation_id) ?? inReplyToPostId ?? postId, inReplyToPostId, url: postUrl(users.get(authorId)?.username ?? null, postId), byAccount: authorId === xFor, at: at(null, post.created_at ?? data.created_at), users, forUserId: xFor };
  }
  if (kind === "dm.read") {
    const readerId = str(x.sender_id) ?? str(x.reader_id);
    const accountUserId = str(x.recipient_id) ?? xFor;
    const lastReadEventId = str(x.last_read_event_id) ?? str(x.dm_event_id);
    if (!readerId || !accountUserId || !lastReadEventId) return { type: "ignored", reason: "dm.read without reader, account or event id", forUserId: xFor };
    return { type: "read", readerId, accountUserId, lastReadEventId, at: at(null, x.created_at ?? data.created_at), forUserId: xFor };
  }
  if (kind === "dm.indicate_typing") {
    const senderId = str(x.sender_id);
    const participants = Array.isArray(x.participant_ids) ? x.participant_ids.map(str).filter((v): v is string => v !== null) : [];
    const fromConversation = (str(x.dm_conversation_id) ?? "").split("-").find((id) => id !== senderId && /^\d+$/.test(id)) ?? null;
    const accountUserId = str(x.recipient_id) ?? participants.find((id) => id !== senderId) ?? fromConversation ?? xFor;
    if (!senderId || !accountUserId) return { type: "ignored", reason: "dm.indicate_typing without sender or recipient", forUserId: xFor };
    return { type: "typing", senderId, accountUserId, at: at(null, x.created_at ?? data.created_at), forUserId: xFor };
  }
  if (kind === "oauth.revoke") {
    const userId = str(x.user_id) ?? str(obj(x.source).user_id) ?? xFor;
    if (!userId) return { type: "ignored", reason: "oauth.revoke without a user id", forUserId: xFor };
    return { type: "revoke", userId, at: at(null, x.created_at ?? data.created_at), forUserId: xFor };
  }
  if (kind === "follow.follow") {
    const source = userInfo(x.source) ?? userInfo({ id: x.source_user_id });
    const target = userInfo(x.target) ?? userInfo({ id: x.target_user_id });
    if (!source || !target) return { type: "ignored", reason: "follow.follow without source or target", forUserId: xFor };
    return { type: "follow", followerId: source.id, followedId: target.id, at: at(null, x.created_at ?? data.created_at), users: new Map([[source.id, source], [target.id, target]]), forUserId: xFor };
  }
  return { type: "ignored", reason: `event kind '${kind}' is not acted on`, forUserId };
}
