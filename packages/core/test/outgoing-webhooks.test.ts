// The pure parts of outgoing webhooks: which addresses are public, the retry schedule, the signature.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isPublicAddress, retryDelayMs, signWebhook, DEFAULT_RETRY_SCHEDULE } from "../src/server.ts";

describe("isPublicAddress", () => {
  it("refuses every special range, IPv4 and IPv6, and IPv4-mapped forms of them", () => {
    const refused = [
      "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.254",
      "169.254.169.254", "169.254.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
      "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:7f00:1",
      "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::1", "not an address", "",
    ];
    for (const address of refused) expect(isPublicAddress(address), address).toBe(false);
  });

  it("takes ordinary unicast addresses", () => {
    for (const address of ["93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPublicAddress(address), address).toBe(true);
  });
});

describe("retryDelayMs", () => {
  it("doubles from 5 s to an hour, within ±20 %", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10, 11, 12, 40].map((n) => retryDelayMs(n, DEFAULT_RETRY_SCHEDULE, mid))).toEqual([5_000, 10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(retryDelayMs(1, DEFAULT_RETRY_SCHEDULE, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, DEFAULT_RETRY_SCHEDULE, () => 1)).toBe(6_000);
  });
});

describe("signWebhook", () => {
  it("is v1= and the hex HMAC-SHA256 of timestamp.body keyed with the secret", () => {
    const body = '{"id":"1","type":"message.created"}';
    expect(signWebhook("whsec_abc", 1_765_000_000, body)).toBe(`v1=${createHmac("sha256", "whsec_abc").update(`1765000000.${body}`).digest("hex")}`);
  });
});
