// Where outgoing webhooks may go (SSRF): http(s) URLs whose host resolves to public addresses only.
// Checked when a subscription is saved, and again at connect time on every delivery, on the very
// addresses the socket connects to, so a DNS answer that changes after validation cannot reach in.
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { AppError } from "../../../errors.ts";
import { MAX_WEBHOOK_URL_CHARS } from "../../../contract/webhooks.ts";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Resolves a host name to every address it has (injected in tests to play DNS rebinding). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS=1: any address (tests, on-premise) */
  allowPrivate: boolean;
  resolve?: Resolver;
}

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * Only ordinary unicast is public. ipaddr.js names every special range (loopback, private,
 * carrierGradeNat, linkLocal — 169.254.169.254 included —, uniqueLocal — fd00:ec2::254 included —,
 * unspecified, multicast, broadcast, reserved, documentation, 6to4/teredo/NAT64 forms that embed an
 * IPv4 address...); IPv4-mapped IPv6 is judged as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** A URL's host as an address when it is a literal ("[::1]" → "::1"), else null. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}

const refuse = (reason: string) => new AppError("VALIDATION_ERROR", `url ${reason}`, { field: "url", reason });

/** Shape of a target URL: http(s), no credentials, at most 2,048 characters. */
export function parseTargetUrl(raw: string): URL {
  if (raw.length > MAX_WEBHOOK_URL_CHARS) throw refuse(`is longer than ${MAX_WEBHOOK_URL_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse("must be an http or https URL");
  if (url.username || url.password) throw refuse("must not carry credentials");
  if (!url.hostname) throw refuse("has no host");
  return url;
}

/**
 * Validates a target when a subscription is created or changed: the shape, then (unless private
 * targets are allowed) every address its host resolves to. A VALIDATION_ERROR on `url` otherwise.
 */
export async function validateTarget(raw: string, policy: TargetPolicy): Promise<string> {
  const url = parseTargetUrl(raw);
  if (policy.allowPrivate) return url.href;
  const literal = literalAddress(url.hostname);
  if (literal !== null) {
    if (!isPublicAddress(literal)) throw refuse("points to a loopback, private, link-local or otherwise non-public address");
    return url.href;
  }
  let answers: ResolvedAddress[];
  try {
    answers = await (policy.resolve ?? systemResolver)(url.hostname);
  } catch {
    throw refuse(`host ${url.hostname} does not resolve`);
  }
  if (answers.length === 0) throw refuse(`host ${url.hostname} does not resolve`);
  if (answers.some((a) => !isPublicAddress(a.address))) throw refuse(`host ${url.hostname} resolves to a loopback, private, link-local or otherwise non-public address`);
  return url.href;
}

export class TargetRefused extends Error {
  override name = "TargetRefused";
}

type LookupCallback = (err: Error | null, address: string | ResolvedAddress[], family?: number) => void;

/**
 * A `lookup` for net/http: resolves with the policy's resolver and refuses the connection when any
 * answer is not public, so the socket only ever connects to an address that was just checked.
 * Serves both the single-answer and the `all` (happy eyeballs) forms Node asks for.
 */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number | string } | number, callback: LookupCallback): void => {
    const all = typeof options === "object" && options.all === true;
    (policy.resolve ?? systemResolver)(hostname).then(
      (answers) => {
        if (answers.length === 0) return callback(new TargetRefused(`${hostname} does not resolve`), all ? [] : "");
        if (!policy.allowPrivate && answers.some((a) => !isPublicAddress(a.address))) {
          return callback(new TargetRefused(`${hostname} resolves to a non-public address; refused`), all ? [] : "");
        }
        if (all) return callback(null, answers);
        const first = answers[0] as ResolvedAddress;
        return callback(null, first.address, first.family);
      },
      (e: unknown) => callback(new TargetRefused(`${hostname} does not resolve: ${e instanceof Error ? e.message : String(e)}`), all ? [] : ""),
    );
  };
}
