// Fetches the media of an outgoing attachment: http(s) only, under the outgoing-webhook address rule
// (checked on the very addresses each connection uses, WEBHOOK_ALLOW_PRIVATE_TARGETS included), a
// few redirects each checked the same way, the body streamed and cut at X's size limit for the type,
// and the bytes checked to be media of that type (declared Content-Type and the file's own signature).
import http from "node:http";
import https from "node:https";
import { AppError } from "../../../errors.ts";
import type { MediaType } from "../../../contract/messages.ts";
import type { XMediaMimeType, XMediaUpload } from "../../../ports/x-client.ts";
import { guardedLookup, isPublicAddress, literalAddress, parseTargetUrl, TargetRefused, type TargetPolicy } from "../outgoing-webhooks/target-policy.ts";

/** X's limits per media type (DMs and posts alike). */
export const MEDIA_SIZE_LIMITS: Record<MediaType, number> = {
  image: 5 * 1024 * 1024,
  gif: 15 * 1024 * 1024,
  video: 512 * 1024 * 1024,
};

const MIME_TYPES: Record<MediaType, readonly XMediaMimeType[]> = {
  image: ["image/jpeg", "image/png", "image/webp"],
  gif: ["image/gif"],
  video: ["video/mp4", "video/quicktime"],
};

const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface FetchMediaOptions {
  url: string;
  type: MediaType;
  policy: TargetPolicy;
  /** false: check only (the API, before queueing), the bytes are not kept */
  keep: boolean;
  /** the field named in a 400 (default attachments.0.url) */
  field?: string;
  timeoutMs?: number;
}

export interface FetchedMedia {
  mimeType: XMediaMimeType;
  size: number;
  /** present when `keep` */
  data?: Buffer;
}

/** A URL that cannot be used: a 400 on the field. Anything else thrown is a network failure worth a retry. */
export class MediaRefused extends AppError {
  /** a network failure, timeout or server error: the same URL may work later (the worker retries) */
  readonly transient: boolean;
  constructor(field: string, reason: string, transient = false) {
    super("VALIDATION_ERROR", `attachment ${reason}`, [{ field, message: reason }]);
    this.transient = transient;
  }
}

/** The MIME type the first bytes announce, if any we know. */
export function sniffMimeType(head: Buffer): XMediaMimeType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP") return "image/webp";
  if (/^GIF8[79]a$/.test(head.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (head.subarray(4, 8).toString("latin1") === "ftyp") return head.subarray(8, 10).toString("latin1") === "qt" ? "video/quicktime" : "video/mp4";
  return null;
}

/** The upload X gets for fetched media: its bytes, type and the DM (or post) category of the type. */
export function toUpload(type: MediaType, media: FetchedMedia & { data: Buffer }, target: "dm" | "tweet" = "dm"): XMediaUpload {
  return { data: media.data, mimeType: media.mimeType, category: `${target}_${type}` as const };
}

export async function fetchMedia(opts: FetchMediaOptions): Promise<FetchedMedia> {
  const field = opts.field ?? "attachments.0.url";
  const refuse = (reason: string, transient = false) => new MediaRefused(field, reason, transient);
  let url: URL;
  try {
    url = parseTargetUrl(opts.url);
  } catch (e) {
    throw refuse(e instanceof AppError ? e.message.replace(/^url /, "URL ") : "URL is not valid");
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const answer = await get(url, opts, refuse);
    if ("redirect" in answer) {
      let next: URL;
      try {
        next = parseTargetUrl(new URL(answer.redirect, url).href);
      } catch {
        throw refuse("redirects to a URL that is not http(s)");
      }
      url = next;
      continue;
    }
    return answer;
  }
  throw refuse(`redirects more than ${MAX_REDIRECTS} times`);
}

// one pool per policy, as for outgoing webhooks: a socket opened where private targets were allowed
// is never reused where they are not
const agentsFor = () => ({ http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) });
const agents = { publicOnly: agentsFor(), anyAddress: agentsFor() };

function get(url: URL, opts: FetchMediaOptions, refuse: (reason: string, transient?: boolean) => MediaRefused): Promise<FetchedMedia | { redirect: string }> {
  const literal = literalAddress(url.hostname);
  if (literal !== null && !opts.policy.allowPrivate && !isPublicAddress(literal)) return Promise.reject(refuse("URL points to a loopback, private, link-local or otherwise non-public address"));
  const limit = MEDIA_SIZE_LIMITS[opts.type];
  const accepted = MIME_TYPES[opts.type];
  const secure = url.protocol === "https:";
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { ok: FetchedMedia | { redirect: string } } | { error: Error }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ("ok" in outcome) resolve(outcome.ok);
      else reject(outcome.error);
      req.destroy();
    };
    const req = (secure ? https : http).request(url, {
      method: "GET",
      agent: (opts.policy.allowPrivate ? agents.anyAddress : agents.publicOnly)[secure ? "https" : "http"],
      lookup: guardedLookup(opts.policy),
      headers: { accept: accepted.join(", "), "user-agent": "mkt-x-media/1.0" },
    });
    const timer = setTimeout(() => finish({ error: refuse(`could not be fetched within ${Math.round(timeoutMs / 1000)} s`, true) }), timeoutMs);
    req.on("error", (e) => finish({ error: e instanceof TargetRefused ? refuse(`URL ${e.message}`) : refuse(`could not be fetched: ${e.message || "connection failed"}`, true) }));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) return finish({ ok: { redirect: res.headers.location } });
      if (status < 200 || status >= 300) return finish({ error: refuse(`could not be fetched: HTTP ${status}`, status >= 500 || status === 429) });
      const declared = String(res.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const mimeType = accepted.find((m) => m === declared);
      if (!mimeType) return finish({ error: refuse(`is not ${opts.type === "image" ? "an image (JPEG, PNG or WebP)" : opts.type === "gif" ? "a GIF" : "a video (MP4 or MOV)"}: its Content-Type is ${declared || "missing"}`) });
      const length = Number(res.headers["content-length"]);
      if (Number.isFinite(length) && length > limit) return finish({ error: refuse(`is larger than X's ${limit / 1024 / 1024} MB limit for ${opts.type}`) });
      const chunks: Buffer[] = [];
      let head = Buffer.alloc(0);
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        // cut at the limit: never read (nor hold) more than X would take
        if (size > limit) return finish({ error: refuse(`is larger than X's ${limit / 1024 / 1024} MB limit for ${opts.type}`) });
        if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
        if (opts.keep) chunks.push(chunk);
      });
      res.on("end", () => {
        if (size === 0) return finish({ error: refuse("is empty") });
        const sniffed = sniffMimeType(head);
        // the bytes must be what the header says (MP4 and MOV share a container: either will do)
        const matches = sniffed === mimeType || (sniffed !== null && mimeType.startsWith("video/") && sniffed.startsWith("video/"));
        if (!matches) return finish({ error: refuse(`is not ${opts.type} data: its bytes do not match its Content-Type ${mimeType}`) });
        finish({ ok: { mimeType, size, ...(opts.keep ? { data: Buffer.concat(chunks, size) } : {}) } });
      });
      res.on("error", (e) => finish({ error: refuse(`could not be fetched: ${e.message}`, true) }));
    });
    req.end();
  });
}
