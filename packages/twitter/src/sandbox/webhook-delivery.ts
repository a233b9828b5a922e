// What X does towards the app's webhook: the CRC challenge on registration and signed POSTs of
// Account Activity events.
import { randomBytes } from "node:crypto";
import { crcResponseToken, parseCrcToken } from "../webhook-crypto.ts";
import { isRecord } from "../json-narrowing.ts";
import { signWebhookPayload, type AccountActivityPayload } from "./payloads.ts";

export interface DeliveryOutcome {
  delivered: boolean;
  /** The webhook's HTTP status; null when nothing answered (no URL, refused, timed out). */
  status: number | null;
  error?: string;
}

const reason = (error: unknown): string => (error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));

/** GET url?crc_token=… and check the answer the way X does; true only for the right response_token. */
export async function runCrcCheck(url: string, consumerSecret: string, timeoutMs: number): Promise<boolean> {
  const crcToken = parseCrcToken(randomBytes(24).toString("base64url"));
  if (crcToken === null) throw new Error("unreachable: base64url is a CRC token");
  const target = new URL(url);
  target.searchParams.set("crc_token", crcToken);
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    if (response.status !== 200) return false;
    const body: unknown = await response.json();
    return isRecord(body) && body["response_token"] === crcResponseToken(consumerSecret, crcToken);
  } catch {
    return false;
  }
}

export async function deliverPayload(url: string, consumerSecret: string, payload: AccountActivityPayload | object, timeoutMs: number): Promise<DeliveryOutcome> {
  const signed = signWebhookPayload(consumerSecret, payload);
  try {
    const response = await fetch(url, { method: "POST", headers: signed.headers, body: signed.body, signal: AbortSignal.timeout(timeoutMs) });
    // Drain so the connection can be reused.
    await response.arrayBuffer();
    return { delivered: response.status >= 200 && response.status < 300, status: response.status };
  } catch (error) {
    return { delivered: false, status: null, error: reason(error) };
  }
}
