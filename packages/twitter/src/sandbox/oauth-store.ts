// The sandbox's 3-legged OAuth 1.0a state: request tokens handed out by POST /oauth/request_token,
// what the person chose on the authorize page, and the single use of each verifier.
import { randomBytes } from "node:crypto";

export type RequestTokenState = "pending" | "authorized" | "denied" | "exchanged";

export interface SandboxRequestToken {
  token: string;
  secret: string;
  /** the oauth_callback the app sent: an absolute http(s) URL, or "oob" */
  callback: string;
  state: RequestTokenState;
  /** the sandbox user who authorized, once authorized */
  userId: string | null;
  verifier: string | null;
  createdAt: string;
}

export type ExchangeResult = { ok: true; userId: string } | { ok: false; reason: "unknown_token" | "not_authorized" | "already_used" | "bad_verifier" };

// A long-running dev sandbox must not grow without bound; old attempts are simply forgotten.
const LIMIT = 10_000;

export class SandboxOAuthStore {
  private readonly requests = new Map<string, SandboxRequestToken>();

  issue(callback: string): SandboxRequestToken {
    const request: SandboxRequestToken = {
      token: `rt-${randomBytes(18).toString("base64url")}`,
      secret: randomBytes(24).toString("base64url"),
      callback,
      state: "pending",
      userId: null,
      verifier: null,
      createdAt: new Date().toISOString(),
    };
    this.requests.set(request.token, request);
    if (this.requests.size > LIMIT) {
      const oldest = this.requests.keys().next().value;
      if (oldest !== undefined) this.requests.delete(oldest);
    }
    return { ...request };
  }

  get(token: string): SandboxRequestToken | undefined {
    const request = this.requests.get(token);
    return request && { ...request };
  }

  /** The request token's secret while it can still sign POST /oauth/access_token. */
  secretOf(token: string): string | undefined {
    return this.requests.get(token)?.secret;
  }

  /** Pending → authorized by the user; answers the verifier, or undefined when not pending. */
  authorize(token: string, userId: string): string | undefined {
    const request = this.requests.get(token);
    if (request?.state !== "pending") return undefined;
    request.state = "authorized";
    request.userId = userId;
    request.verifier = randomBytes(16).toString("base64url");
    return request.verifier;
  }

  /** Pending → denied (the person pressed Cancel). False when it was not pending. */
  deny(token: string): boolean {
    const request = this.requests.get(token);
    if (request?.state !== "pending") return false;
    request.state = "denied";
    return true;
  }

  /** Authorized → exchanged, once, with the right verifier. A wrong verifier spends nothing. */
  exchange(token: string, verifier: string | undefined): ExchangeResult {
    const request = this.requests.get(token);
    if (!request) return { ok: false, reason: "unknown_token" };
    if (request.state === "exchanged") return { ok: false, reason: "already_used" };
    if (request.state !== "authorized" || request.userId === null || request.verifier === null) return { ok: false, reason: "not_authorized" };
    if (verifier !== request.verifier) return { ok: false, reason: "bad_verifier" };
    request.state = "exchanged";
    return { ok: true, userId: request.userId };
  }

  all(): SandboxRequestToken[] {
    return [...this.requests.values()].map((r) => ({ ...r }));
  }

  reset(): void {
    this.requests.clear();
  }

  /** Replaces the request tokens with saved ones (a sandbox restarted on its stateDir). */
  restore(requests: SandboxRequestToken[]): void {
    this.requests.clear();
    for (const r of requests) this.requests.set(r.token, { ...r });
  }
}
