// One signed POST to a receiver: guarded DNS at connect time, no redirects, one total timeout, at
// most 1 KB of the answer kept. Never throws: every outcome is a result the caller records.
import http from "node:http";
import https from "node:https";
import { createHmac } from "node:crypto";
import { MAX_WEBHOOK_RESPONSE_BYTES } from "../../../contract/webhooks.ts";
import { guardedLookup, isPublicAddress, literalAddress, type TargetPolicy } from "./target-policy.ts";

export const WEBHOOK_USER_AGENT = "mkt-x-webhooks/1.0";
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** `v1=` + hex HMAC-SHA256 of `${timestamp}.${body}` keyed with the secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export interface PostResult {
  ok: boolean;
  status: number | null;
  /** the answer's first bytes (at most 1 KB), as text */
  body: string | null;
  durationMs: number;
  error: string | null;
}

export interface PostOptions {
  url: string;
  deliveryId: string;
  body: string;
  secret: string;
  policy: TargetPolicy;
  timeoutMs?: number;
  /** epoch milliseconds now (the signature's timestamp) */
  now?: number;
}

// Kept-alive connections per process: receivers get many deliveries. Sockets are made through the
// guarded lookup of the request that opens them (the agent passes request options to net.connect),
// so a pool is never shared between the two policies: a socket opened where private targets were
// allowed must not be reused where they are not.
const agentsFor = () => ({ http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) });
const agents = { publicOnly: agentsFor(), anyAddress: agentsFor() };

/** PostgreSQL text holds no NUL; a cut can leave half a character (decoded as U+FFFD). */
const storable = (buf: Buffer) => buf.toString("utf8").replaceAll("\u0000", "\uFFFD");

export function postWebhook(opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string, status: number | null = null, body: string | null = null): PostResult => ({ ok: false, status, body, durationMs: elapsed(), error });

  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return Promise.resolve(fail("invalid url"));
  }
  // an address literal never goes through lookup: check it here
  const literal = literalAddress(url.hostname);
  if (literal !== null && !opts.policy.allowPrivate && !isPublicAddress(literal)) return Promise.resolve(fail(`${literal} is not a public address; refused`));

  const timestamp = Math.floor((opts.now ?? Date.now()) / 1000);
  const payload = Buffer.from(opts.body, "utf8");
  const secure = url.protocol === "https:";
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = (secure ? https : http).request(url, {
      method: "POST",
      agent: (opts.policy.allowPrivate ? agents.anyAddress : agents.publicOnly)[secure ? "https" : "http"],
      lookup: guardedLookup(opts.policy),
      headers: {
        "content-type": "application/json",
        "content-length": String(payload.length),
        "user-agent": WEBHOOK_USER_AGENT,
        "mktx-webhook-id": opts.deliveryId,
        "mktx-webhook-timestamp": String(timestamp),
        "mktx-webhook-signature": signWebhook(opts.secret, timestamp, opts.body),
      },
    });
    const timer = setTimeout(() => {
      finish(fail(`timed out after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on("error", (e) => finish(fail(e.message || "connection failed")));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        const body = storable(Buffer.concat(chunks).subarray(0, MAX_WEBHOOK_RESPONSE_BYTES));
        if (status >= 200 && status < 300) finish({ ok: true, status, body, durationMs: elapsed(), error: null });
        else if (status >= 300 && status < 400) finish(fail(`redirect (${status}) not followed`, status, body));
        else finish(fail(`HTTP ${status}`, status, body));
      };
      res.on("data", (chunk: Buffer) => {
        if (kept >= MAX_WEBHOOK_RESPONSE_BYTES) return;
        chunks.push(chunk);
        kept += chunk.length;
        // enough kept: stop reading the rest rather than drain an unbounded answer
        if (kept >= MAX_WEBHOOK_RESPONSE_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      res.on("error", () => done());
      res.on("close", done);
    });
    req.end(payload);
  });
}
