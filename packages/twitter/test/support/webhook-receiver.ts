// A stand-in for the service's webhook endpoint: answers CRC challenges (rightly or not, on
// purpose) and keeps every POST with its raw bytes and signature header.
import Fastify from "fastify";
import { crcResponseToken, parseCrcToken } from "../../src/webhook-crypto.ts";

export type CrcMode = "correct" | "wrong" | "error";

export interface ReceivedWebhook {
  raw: string;
  signature: string | undefined;
  json: unknown;
}

export async function startWebhookReceiver(consumerSecret: string) {
  const app = Fastify();
  const received: ReceivedWebhook[] = [];
  const crcTokens: string[] = [];
  let crcMode: CrcMode = "correct";
  let postStatus = 200;

  // Keep the body as bytes: the signature is over exactly what was sent.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.get<{ Querystring: { crc_token?: string } }>("/webhook", async (req, reply) => {
    const token = req.query.crc_token ?? "";
    crcTokens.push(token);
    if (crcMode === "error") return reply.code(500).send({ error: "down" });
    const crcToken = parseCrcToken(token);
    if (crcToken === null) return reply.code(400).send({ error: "bad crc_token" });
    const answer = crcMode === "correct" ? crcResponseToken(consumerSecret, crcToken) : crcResponseToken("not-the-secret", crcToken);
    return { response_token: answer };
  });

  app.post("/webhook", async (req, reply) => {
    const raw = typeof req.body === "string" ? req.body : "";
    const header = req.headers["x-twitter-webhooks-signature"];
    received.push({ raw, signature: typeof header === "string" ? header : undefined, json: JSON.parse(raw) });
    return reply.code(postStatus).send({ ok: postStatus < 300 });
  });

  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    crcTokens,
    setCrcMode(mode: CrcMode) {
      crcMode = mode;
    },
    setPostStatus(status: number) {
      postStatus = status;
    },
    close: () => app.close(),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
