// Where connect with X may send the person afterwards: the admin app, or the API's own origin.
import { describe, expect, it } from "vitest";
import { AppError } from "../src/errors.ts";
import { defaultReturnTo, resolveReturnTo, type XConnectSettings } from "../src/server/services/accounts/connect-with-x.ts";

const settings: XConnectSettings = {
  callbackUrl: "https://api.example.com/api/v1/mkt-x/accounts/oauth/callback",
  authorizeBaseUrl: "https://api.x.com",
  adminBaseUrl: "https://admin.example.com",
  publicBaseUrl: "https://api.example.com",
};

const refusal = (returnTo: string) => {
  try {
    resolveReturnTo(settings, returnTo);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("resolveReturnTo", () => {
  it("defaults to the admin app's Accounts page, below a path prefix when the admin has one", () => {
    expect(resolveReturnTo(settings, undefined)).toBe("https://admin.example.com/accounts");
    expect(defaultReturnTo({ ...settings, adminBaseUrl: "https://example.com/admin/" })).toBe("https://example.com/admin/accounts");
  });

  it("resolves a path on the admin origin and keeps URLs on the admin's or the API's origin", () => {
    expect(resolveReturnTo(settings, "/accounts?tab=x#top")).toBe("https://admin.example.com/accounts?tab=x#top");
    expect(resolveReturnTo(settings, "https://admin.example.com/x")).toBe("https://admin.example.com/x");
    expect(resolveReturnTo(settings, "https://api.example.com/done")).toBe("https://api.example.com/done");
  });

  it.each([
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "https://evil.com",
    "http://admin.example.com/",
    "https://admin.example.com:444/",
    "https://admin.example.com.evil.com/",
    "https://user:pw@admin.example.com/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "accounts",
    "evil.com/accounts",
  ])("refuses %j naming returnTo", (returnTo) => {
    const error = refusal(returnTo);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "returnTo" } });
  });
});
