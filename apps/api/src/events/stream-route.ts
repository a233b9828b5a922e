// GET /events/stream: the merchant's live events as Server-Sent Events. Registered inside the
// authenticated scope, so the auth hook reads the bearer token and the rate limit counts the
// connect once (its preHandler runs once per request; nothing is held while the stream is open).
import type { OutgoingHttpHeaders } from "node:http";
import { once } from "node:events";
import type { FastifyInstance } from "fastify";
import { AppError, LastEventId, visibleEventTypes } from "@mkt-x/core";
import type { LiveEventBus } from "./live-event-bus.ts";
import "../trpc/context.ts";

export interface StreamOptions {
  bus: LiveEventBus | undefined;
  /** a comment line this often keeps proxies from closing an idle stream (default 15 s) */
  heartbeatMs?: number;
  /** bytes a client may leave unread before it is dropped (default 1 MiB) */
  maxBufferedBytes?: number;
}

export async function liveEventStreamRoute(app: FastifyInstance, opts: StreamOptions) {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;

  app.get("/events/stream", async (request, reply) => {
    const auth = request.auth;
    if (!auth) throw new AppError("UNAUTHORIZED", request.authError ?? "Authentication required");
    const header = request.headers["last-event-id"];
    let lastEventId: bigint | null = null;
    if (typeof header === "string" && header.trim() !== "") {
      const parsed = LastEventId.safeParse(header.trim());
      if (!parsed.success) throw new AppError("VALIDATION_ERROR", "Invalid Last-Event-ID", [{ field: "Last-Event-ID", message: "must be the decimal id of an event" }]);
      lastEventId = BigInt(parsed.data);
    }
    const bus = opts.bus;
    if (!bus) throw new AppError("SERVICE_UNAVAILABLE", "Live events are not available on this instance");

    // from here on the response is ours: headers set so far (rate limit, request id) go out with it
    reply.hijack();
    const res = reply.raw;
    const headers: OutgoingHttpHeaders = { ...(reply.getHeaders() as OutgoingHttpHeaders) };
    const reset = headers["x-ratelimit-reset"];
    if (reset !== undefined) headers["x-ratelimit-reset"] = Math.ceil(Date.now() / 1000) + Number(reset);
    res.writeHead(200, {
      ...headers,
      "x-request-id": request.id,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx and friends: do not buffer the stream
      "x-accel-buffering": "no",
    });
    request.raw.socket.setNoDelay(true);
    res.write(": connected\n\n");

    const heartbeat: { timer?: NodeJS.Timeout } = {};
    const end = () => {
      clearInterval(heartbeat.timer);
      subscription.close();
    };
    // a client that leaves more than the bound unread is dropped: memory per client stays bounded
    const write = (text: string) => {
      if (res.destroyed) return false;
      if (res.writableLength > maxBuffered) return false;
      res.write(text);
      return true;
    };
    const subscription = bus.subscribe({
      merchantId: auth.merchantId,
      types: visibleEventTypes(auth.role),
      lastEventId,
      deliver: (event) => write(event.frame),
      onDrop: (reason) => {
        if (reason === "slow") request.log.info({ buffered: res.writableLength }, "live events client too slow: dropped");
        clearInterval(heartbeat.timer);
        res.destroy();
      },
      drained: () => (res.writableLength > maxBuffered / 2 && !res.destroyed ? once(res, "drain").then(() => undefined) : undefined),
    });
    res.on("close", end);
    heartbeat.timer = setInterval(() => {
      if (!write(": heartbeat\n\n")) {
        end();
        res.destroy();
      }
    }, heartbeatMs);
    heartbeat.timer.unref();
    await subscription.ready.catch((err: unknown) => {
      request.log.warn({ err }, "live events resume failed");
      end();
      res.destroy();
    });
  });
}
