// The signed-in session: the token pair of POST /api/v1/auth/login, kept in localStorage so every
// tab shares it, refreshed in the background a minute before the access token expires. Refresh
// tokens are single-use (a spent one presented again revokes the family), so tabs refresh one at a
// time under a Web Lock and re-read what another tab may already have stored.
import { Me, TokenPair } from "@mkt-x/core";
import type { z } from "zod";

const STORAGE_KEY = "mktx.session";
const AUTH_BASE = "/api/v1/auth";
/** refresh this long before the access token runs out */
const REFRESH_MARGIN_MS = 60_000;

export type MeInfo = z.infer<typeof Me>;

interface Stored {
  accessToken: string;
  refreshToken: string;
  /** epoch ms */
  expiresAt: number;
}

type Listener = (signedIn: boolean) => void;

/** An error the auth endpoints answered, with the envelope's message. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Envelope = { success?: boolean; data?: unknown; error?: unknown } | null;

/** The envelope's error: `{ success: false, error: "<message>", code }` (spec/api.md). */
const messageOf = (json: Envelope, fallback: string) => (typeof json?.error === "string" && json.error ? json.error : fallback);

async function post(path: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${AUTH_BASE}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new AuthError(0, "Could not reach the server. Check your connection and try again.");
  }
  const json = (await res.json().catch(() => null)) as Envelope;
  if (!res.ok || !json?.success) throw new AuthError(res.status, messageOf(json, `Request failed (${res.status})`));
  return json.data;
}

function read(): Stored | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Stored>;
    return typeof s.accessToken === "string" && typeof s.refreshToken === "string" && typeof s.expiresAt === "number" ? (s as Stored) : null;
  } catch {
    return null;
  }
}

function write(pair: TokenPair): Stored {
  const stored = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  return stored;
}

async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  return navigator.locks ? navigator.locks.request("mktx.refresh", fn) : fn();
}

class Session {
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<string | null> | null = null;

  constructor() {
    // another tab signed in, refreshed or signed out
    window.addEventListener("storage", (e) => {
      if (e.key !== STORAGE_KEY) return;
      this.schedule();
      this.emit();
    });
    this.schedule();
  }

  get signedIn(): boolean {
    return read() !== null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signIn(email: string, password: string): Promise<void> {
    write(TokenPair.parse(await post("login", { email, password })));
    this.schedule();
    this.emit();
  }

  /** Accepts a teammate's invitation with the password they chose: they are signed in. */
  async acceptInvite(inviteToken: string, password: string): Promise<void> {
    write(TokenPair.parse(await post("accept-invite", { inviteToken, password })));
    this.schedule();
    this.emit();
  }

  async signOut(): Promise<void> {
    const s = read();
    this.clear();
    if (s) await post("logout", { refreshToken: s.refreshToken }).catch(() => undefined);
  }

  /** The session ended (refresh refused, or the API answered 401 to a fresh token). */
  expire(): void {
    this.clear();
  }

  async me(): Promise<MeInfo> {
    const token = await this.accessToken();
    if (!token) throw new AuthError(401, "Signed out");
    const res = await fetch(`${AUTH_BASE}/me`, { headers: { authorization: `Bearer ${token}` } });
    const json = (await res.json().catch(() => null)) as Envelope;
    if (res.status === 401) {
      this.expire();
      throw new AuthError(401, messageOf(json, "Signed out"));
    }
    if (!res.ok || !json?.success) throw new AuthError(res.status, messageOf(json, `Request failed (${res.status})`));
    return Me.parse(json.data);
  }

  /** A valid access token, refreshed first when it is about to run out; null when signed out. */
  async accessToken(): Promise<string | null> {
    const s = read();
    if (!s) return null;
    if (s.expiresAt - Date.now() > REFRESH_MARGIN_MS) return s.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string | null> {
    this.inflight ??= withRefreshLock(async () => {
      const s = read();
      if (!s) return null;
      // another tab refreshed while this one waited for the lock
      if (s.expiresAt - Date.now() > REFRESH_MARGIN_MS) return s.accessToken;
      try {
        const next = write(TokenPair.parse(await post("refresh", { refreshToken: s.refreshToken })));
        this.schedule();
        return next.accessToken;
      } catch (e) {
        // refused: the session is over. Unreachable: keep it and try again later.
        if (e instanceof AuthError && e.status !== 0) this.clear();
        return null;
      }
    }).finally(() => (this.inflight = null));
    return this.inflight;
  }

  private clear() {
    localStorage.removeItem(STORAGE_KEY);
    clearTimeout(this.timer);
    this.emit();
  }

  private schedule() {
    clearTimeout(this.timer);
    const s = read();
    if (!s) return;
    const wait = Math.max(1_000, s.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => void this.refresh(), Math.min(wait, 2 ** 31 - 1));
  }

  private emit() {
    const signedIn = this.signedIn;
    for (const l of this.listeners) l(signedIn);
  }
}

export const session = new Session();
