// X's v2 chunked media upload as twitter-api-v2's `v2.uploadMedia` speaks it: POST
// /2/media/upload/initialize (JSON), POST /2/media/upload/{id}/append (multipart: segment_index,
// media), POST /2/media/upload/{id}/finalize, and GET /2/media/upload?command=STATUS&media_id=.
// Registered inside the X API routes, so OAuth 1.0a, faults and the request log apply as elsewhere.
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isRecord } from "../json-narrowing.ts";
import type { SandboxMedia, SandboxStore, SandboxUser } from "./sandbox-store.ts";
import { invalidRequest, resourceNotFound } from "./x-problems.ts";

/** X's limits per media category, in bytes. */
export const MEDIA_CATEGORY_LIMITS: Record<string, number> = {
  dm_image: 5 * 1024 * 1024,
  tweet_image: 5 * 1024 * 1024,
  dm_gif: 15 * 1024 * 1024,
  tweet_gif: 15 * 1024 * 1024,
  dm_video: 512 * 1024 * 1024,
  tweet_video: 512 * 1024 * 1024,
};
const MEDIA_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/quicktime"]);
/** X keeps uploaded media for a day */
const EXPIRES_AFTER_SECS = 86_400;
/** X's chunks are at most 5 MB; the multipart envelope around one adds a little */
const APPEND_BODY_LIMIT = 6 * 1024 * 1024;

/** A parsed multipart body. Serialized (request log, state file) as a summary, never as bytes. */
export class MultipartBody {
  constructor(
    readonly fields: Map<string, string>,
    readonly files: Map<string, Buffer>,
  ) {}
  toJSON(): Record<string, string> {
    return Object.fromEntries([...this.fields, ...[...this.files].map(([k, v]) => [k, `<${v.length} bytes>`] as const)]);
  }
}

/** multipart/form-data as RFC 7578 has it; parts with a Content-Type (or a filename) are files. */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return null;
  const delimiter = Buffer.from(`--${marker}`);
  const fields = new Map<string, string>();
  const files = new Map<string, Buffer>();
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) return null;
    // each part: CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split === -1) return null;
    const headers = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) return null;
    if (/content-type:/i.test(headers) || /filename=/i.test(headers)) files.set(name, Buffer.from(content));
    else fields.set(name, content.toString("utf8"));
    at = next;
  }
  return new MultipartBody(fields, files);
}

export function registerMediaRoutes(app: FastifyInstance, store: SandboxStore, userOf: (req: FastifyRequest) => SandboxUser): void {
  app.addContentTypeParser("multipart/form-data", { parseAs: "buffer", bodyLimit: APPEND_BODY_LIMIT }, (req, body, done) => {
    const parsed = parseMultipart(Buffer.isBuffer(body) ? body : Buffer.from(body), String(req.headers["content-type"] ?? ""));
    if (!parsed) return done(Object.assign(new Error("malformed multipart body"), { statusCode: 400 }));
    done(null, parsed);
  });

  const owned = (req: FastifyRequest, id: string): SandboxMedia | undefined => {
    const media = store.media.get(id);
    const user = userOf(req);
    return media && (media.ownerId === user.id || media.additionalOwners.includes(user.id)) ? media : undefined;
  };
  const view = (m: SandboxMedia) => ({
    id: m.mediaId,
    media_key: m.mediaKey,
    size: m.totalBytes,
    expires_after_secs: Math.max(0, Math.round((Date.parse(m.expiresAt) - Date.now()) / 1000)),
    ...(m.mediaType.startsWith("video/") && m.state === "succeeded" ? { processing_info: { state: "succeeded", progress_percent: 100 } } : {}),
  });

  app.post("/2/media/upload/initialize", async (req, reply) => {
    const body = isRecord(req.body) ? req.body : {};
    const mediaType = body["media_type"];
    const totalBytes = body["total_bytes"];
    const category = typeof body["media_category"] === "string" ? body["media_category"] : "tweet_image";
    if (typeof mediaType !== "string" || !MEDIA_TYPES.has(mediaType)) return reply.code(400).send(invalidRequest(`media_type must be one of ${[...MEDIA_TYPES].join(", ")}`, { media_type: [String(mediaType)] }));
    const limit = MEDIA_CATEGORY_LIMITS[category];
    if (limit === undefined) return reply.code(400).send(invalidRequest(`media_category ${category} is not supported`, { media_category: [category] }));
    if (typeof totalBytes !== "number" || !Number.isInteger(totalBytes) || totalBytes < 1 || totalBytes > limit) {
      return reply.code(400).send(invalidRequest(`total_bytes must be 1 to ${limit} for ${category}`, { total_bytes: [String(totalBytes)] }));
    }
    const additional = Array.isArray(body["additional_owners"]) ? body["additional_owners"].filter((o): o is string => typeof o === "string") : [];
    const id = store.nextId();
    const media: SandboxMedia = {
      mediaId: id,
      mediaKey: `${mediaType.startsWith("video/") ? 7 : mediaType === "image/gif" ? 16 : 3}_${id}`,
      ownerId: userOf(req).id,
      additionalOwners: additional,
      mediaType,
      category,
      totalBytes,
      segments: new Map(),
      state: "uploading",
      sha256: null,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + EXPIRES_AFTER_SECS * 1000).toISOString(),
    };
    store.recordMedia(media);
    return { data: { id, media_key: media.mediaKey, expires_after_secs: EXPIRES_AFTER_SECS } };
  });

  app.post<{ Params: { id: string } }>("/2/media/upload/:id/append", async (req, reply) => {
    const media = owned(req, req.params.id);
    if (!media) return reply.code(404).send(resourceNotFound(`Could not find media with id: [${req.params.id}]`));
    if (media.state !== "uploading") return reply.code(400).send(invalidRequest("the upload is already finalized", { id: [media.mediaId] }));
    if (!(req.body instanceof MultipartBody)) return reply.code(400).send(invalidRequest("append takes multipart/form-data with segment_index and media", {}));
    const index = Number(req.body.fields.get("segment_index"));
    const chunk = req.body.files.get("media") ?? (req.body.fields.has("media") ? Buffer.from(req.body.fields.get("media") ?? "", "utf8") : undefined);
    if (!Number.isInteger(index) || index < 0 || index > 999) return reply.code(400).send(invalidRequest("segment_index must be 0 to 999", { segment_index: [String(req.body.fields.get("segment_index"))] }));
    if (!chunk || chunk.length === 0) return reply.code(400).send(invalidRequest("media is required", { media: [] }));
    media.segments.set(index, chunk);
    return { data: { expires_at: Math.floor(Date.parse(media.expiresAt) / 1000) } };
  });

  app.post<{ Params: { id: string } }>("/2/media/upload/:id/finalize", async (req, reply) => {
    const media = owned(req, req.params.id);
    if (!media) return reply.code(404).send(resourceNotFound(`Could not find media with id: [${req.params.id}]`));
    if (media.state === "succeeded") return { data: view(media) };
    const order = [...media.segments.keys()].sort((a, b) => a - b);
    const bytes = Buffer.concat(order.map((i) => media.segments.get(i) ?? Buffer.alloc(0)));
    if (order.some((i, n) => i !== n) || bytes.length !== media.totalBytes) {
      return reply.code(400).send(invalidRequest(`received ${bytes.length} of ${media.totalBytes} bytes (segments ${order.join(",")})`, { id: [media.mediaId] }));
    }
    media.state = "succeeded";
    media.sha256 = createHash("sha256").update(bytes).digest("hex");
    media.segments.clear();
    return { data: view(media) };
  });

  app.get("/2/media/upload", async (req, reply) => {
    const query = isRecord(req.query) ? req.query : {};
    const id = typeof query["media_id"] === "string" ? query["media_id"] : "";
    if (query["command"] !== "STATUS") return reply.code(400).send(invalidRequest("command must be STATUS", { command: [String(query["command"])] }));
    const media = owned(req, id);
    if (!media) return reply.code(404).send(resourceNotFound(`Could not find media with id: [${id}]`));
    return { data: { ...view(media), processing_info: { state: media.state === "succeeded" ? "succeeded" : "pending", ...(media.state === "succeeded" ? { progress_percent: 100 } : { check_after_secs: 1 }) } } };
  });
}

/** Why a DM may not carry this media, or null when it may. */
export function mediaRefusal(store: SandboxStore, senderId: string, mediaId: string): string | null {
  const media = store.media.get(mediaId);
  if (!media || (media.ownerId !== senderId && !media.additionalOwners.includes(senderId))) return `media ${mediaId} does not exist or belongs to another user`;
  if (media.state !== "succeeded") return `media ${mediaId} is not finalized`;
  if (Date.parse(media.expiresAt) <= Date.now()) return `media ${mediaId} has expired`;
  return null;
}
