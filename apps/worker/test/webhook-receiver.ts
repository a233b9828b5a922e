// A merchant's webhook receiver over real HTTP, as a merchant would write one: it verifies the
// signature with the subscription's secret (independently of the service's code), records every
// request, and answers as each path is told to (status, body, delay, hold).
import http from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";

export interface ReceivedRequest {
  path: string;
  webhookId: string;
  timestamp: string;
  signature: string;
  contentType: string;
  userAgent: string;
  body: string;
  /** the signature matched the path's secret */
  verified: boolean;
  json: { id: string; type: string; at: string; merchantId: string; data: unknown };
}

export interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** answer only once this settles */
  hold?: Promise<unknown>;
}
type Responder = (attempt: number, req: ReceivedRequest) => Answer;

export interface Receiver {
  url: string;
  /** a path's secret, to verify what reaches it */
  expect(path: string, secret: string, respond?: Responder): void;
  respond(path: string, respond: Responder): void;
  received(path?: string): ReceivedRequest[];
  /** requests of a path not yet answered */
  open(path: string): number;
  close(): Promise<void>;
}

export function verifySignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(): Promise<Receiver> {
  const secrets = new Map<string, string>();
  const responders = new Map<string, Responder>();
  const log: ReceivedRequest[] = [];
  const openCount = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => String(req.headers[name] ?? "");
      let json: ReceivedRequest["json"];
      try {
        json = JSON.parse(body) as ReceivedRequest["json"];
      } catch {
        json = { id: "", type: "", at: "", merchantId: "", data: null };
      }
      const secret = secrets.get(path);
      const r: ReceivedRequest = {
        path,
        webhookId: header("mktx-webhook-id"),
        timestamp: header("mktx-webhook-timestamp"),
        signature: header("mktx-webhook-signature"),
        contentType: header("content-type"),
        userAgent: header("user-agent"),
        body,
        verified: secret !== undefined && verifySignature(secret, header("mktx-webhook-timestamp"), body, header("mktx-webhook-signature")),
        json,
      };
      log.push(r);
      const attempt = log.filter((x) => x.path === path && x.webhookId === r.webhookId).length;
      const answer: Answer = (responders.get(path) ?? ((): Answer => ({ status: 200 })))(attempt, r);
      openCount.set(path, (openCount.get(path) ?? 0) + 1);
      const send = () => {
        openCount.set(path, (openCount.get(path) ?? 1) - 1);
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { "content-type": "text/plain", ...answer.headers });
        res.end(answer.body ?? "ok");
      };
      if (answer.hold) void answer.hold.then(send, send);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    expect(path, secret, respond) {
      secrets.set(path, secret);
      if (respond) responders.set(path, respond);
    },
    respond(path, respond) {
      responders.set(path, respond);
    },
    received: (path) => (path ? log.filter((r) => r.path === path) : [...log]),
    open: (path) => openCount.get(path) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
