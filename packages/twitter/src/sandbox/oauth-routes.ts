// X's 3-legged OAuth 1.0a as the sandbox plays it: POST /oauth/request_token (signed with the
// consumer key only), the authorize page a person sees (pick or create a sandbox user, Authorize or
// Cancel), and POST /oauth/access_token (signed with the request token, single-use verifier).
// Token answers are form-encoded, as X's are.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isRecord } from "../json-narrowing.ts";
import { takeFault } from "./faults.ts";
import { verifyOAuth1Request, type OAuthVerifyKeys } from "./oauth1-verify.ts";
import type { SandboxOAuthStore } from "./oauth-store.ts";
import { SandboxError } from "./sandbox-error.ts";
import type { SandboxRequest, SandboxStore, SandboxUser } from "./sandbox-store.ts";
import { statusProblem, v1Errors } from "./x-problems.ts";

export interface OAuthRoutesContext {
  store: SandboxStore;
  oauth: SandboxOAuthStore;
  consumerKey: string;
  consumerSecret: string;
  /** A delay that the sandbox's close() cuts short. */
  delay(ms: number): Promise<void>;
}

const FORM = "application/x-www-form-urlencoded";

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · X sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#0f1419}
fieldset{border:1px solid #cfd9de;border-radius:8px;margin:1rem 0;padding:.5rem 1rem}
label{display:block;margin:.25rem 0}
input[type=text]{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.4rem 1.2rem;border-radius:999px;border:1px solid #0f1419;margin-right:.5rem;cursor:pointer}
button[value=authorize]{background:#0f1419;color:#fff}
[role=alert]{color:#b00020}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;

const isValidCallback = (callback: string): boolean => {
  if (callback === "oob") return true;
  if (!URL.canParse(callback)) return false;
  return ["http:", "https:"].includes(new URL(callback).protocol);
};

const stringField = (body: unknown, key: string): string | undefined => {
  const value = isRecord(body) ? body[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

export function registerOAuthRoutes(app: FastifyInstance, ctx: OAuthRoutesContext): void {
  const { store, oauth } = ctx;
  const records = new WeakMap<FastifyRequest, SandboxRequest>();

  // the token endpoints and the authorize form post form-encoded bodies
  app.addContentTypeParser(FORM, { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))));
  });

  app.addHook("onRequest", async (req) => {
    const [path = "/", search = ""] = req.url.split("?", 2);
    records.set(req, store.recordRequest({ method: req.method, path, query: Object.fromEntries(new URLSearchParams(search)), body: null, userId: null, fault: null, status: null }));
  });
  app.addHook("onResponse", async (req, reply) => {
    const record = records.get(req);
    if (record) record.status = reply.statusCode;
  });
  app.addHook("preHandler", async (req, reply) => {
    const record = records.get(req);
    // the verifier and secrets stay out of the request log
    if (record && isRecord(req.body)) record.body = Object.fromEntries(Object.entries(req.body).map(([k, v]) => [k, k.startsWith("oauth_") ? "…" : v]));
    const fault = takeFault(store.faults, req.method, record?.path ?? req.url);
    if (fault?.latencyMs) await ctx.delay(fault.latencyMs);
    if (fault && fault.status !== null) {
      if (record) record.fault = fault.status;
      return reply.code(fault.status).send(statusProblem(fault.status));
    }
  });

  const verify = (req: FastifyRequest, keys: Omit<OAuthVerifyKeys, "consumerKey" | "consumerSecret">) => {
    const isForm = String(req.headers["content-type"] ?? "").startsWith(FORM);
    const formParams = isForm && isRecord(req.body) ? Object.entries(req.body).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as const] : [])) : [];
    return verifyOAuth1Request(
      { method: req.method, url: new URL(req.url, `${req.protocol}://${req.headers.host ?? "localhost"}`), authorization: req.headers.authorization, formParams },
      { consumerKey: ctx.consumerKey, consumerSecret: ctx.consumerSecret, ...keys },
    );
  };

  const formAnswer = (reply: FastifyReply, fields: Record<string, string>) => reply.code(200).type(FORM).send(new URLSearchParams(fields).toString());
  const couldNotAuthenticate = (reply: FastifyReply) => reply.code(401).send(v1Errors(32, "Could not authenticate you."));

  app.post("/oauth/request_token", async (req, reply) => {
    const result = verify(req, { tokenSecretOf: () => undefined, tokenOptional: true });
    if (!result.ok) return couldNotAuthenticate(reply);
    const callback = result.params.get("oauth_callback");
    if (callback === undefined || !isValidCallback(callback)) {
      return reply.code(400).send(v1Errors(417, "Desktop applications only support the oauth_callback value 'oob'"));
    }
    const request = oauth.issue(callback);
    return formAnswer(reply, { oauth_token: request.token, oauth_token_secret: request.secret, oauth_callback_confirmed: "true" });
  });

  const invalidPage = (reply: FastifyReply) =>
    reply
      .code(400)
      .type("text/html; charset=utf-8")
      .send(page("Invalid request", `<h1>This page is no longer valid</h1>\n<p role="alert">The request token is invalid, was already used, or has expired. Go back to the app and start again.</p>`));

  const authorizePage = (token: string, error?: string) => {
    const request = oauth.get(token);
    const users = store.users.size > 0 ? [...store.users.values()] : [];
    const choices = users
      .map((u, i) => `<label><input type="radio" name="user_id" value="${escapeHtml(u.id)}"${i === 0 ? " checked" : ""}> @${escapeHtml(u.username)} (${escapeHtml(u.name)})</label>`)
      .join("\n");
    const target = request && request.callback !== "oob" ? new URL(request.callback).host : "this device (PIN)";
    return page(
      "Authorize app",
      `<h1>Authorize the app to access your account?</h1>
<p>The app with consumer key <code>${escapeHtml(ctx.consumerKey)}</code> wants to read and send your direct messages. You will be sent back to <strong>${escapeHtml(target)}</strong>.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ""}<form method="post" action="/oauth/authorize">
<input type="hidden" name="oauth_token" value="${escapeHtml(token)}">
${users.length > 0 ? `<fieldset>\n<legend>Sign in as</legend>\n${choices}\n</fieldset>\n` : ""}<p><label for="username">${users.length > 0 ? "Or create a sandbox user: username" : "Create a sandbox user: username"}</label>
<input type="text" id="username" name="username" autocomplete="off" pattern="\\w{1,50}" aria-describedby="username-hint">
<small id="username-hint">Letters, digits and _; an existing username is used as it is.</small></p>
<p><button type="submit" name="action" value="authorize">Authorize</button><button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p>
</form>`,
    );
  };

  app.get("/oauth/authorize", async (req, reply) => {
    const token = isRecord(req.query) && typeof req.query["oauth_token"] === "string" ? req.query["oauth_token"] : "";
    if (oauth.get(token)?.state !== "pending") return invalidPage(reply);
    return reply.type("text/html; charset=utf-8").send(authorizePage(token));
  });

  /** Sends the browser back to the app (303: the form was a POST, the callback is a GET). */
  const backToApp = (reply: FastifyReply, callback: string, params: Record<string, string>) => {
    if (callback === "oob") {
      const pin = params["oauth_verifier"];
      return reply
        .type("text/html; charset=utf-8")
        .send(page("Done", pin ? `<h1>Authorized</h1>\n<p>Enter this PIN in the app: <strong>${escapeHtml(pin)}</strong></p>` : `<h1>Cancelled</h1>\n<p>The app was not authorized.</p>`));
    }
    const url = new URL(callback);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return reply.code(303).header("location", url.toString()).header("cache-control", "no-store").send();
  };

  app.post("/oauth/authorize", async (req, reply) => {
    const token = stringField(req.body, "oauth_token") ?? "";
    const request = oauth.get(token);
    if (request?.state !== "pending") return invalidPage(reply);
    const action = stringField(req.body, "action");
    if (action === "cancel") {
      oauth.deny(token);
      return backToApp(reply, request.callback, { denied: token });
    }
    if (action !== "authorize") return reply.code(400).type("text/html; charset=utf-8").send(authorizePage(token, "Choose Authorize or Cancel."));

    let user: SandboxUser | undefined;
    const username = stringField(req.body, "username")?.trim() ?? "";
    if (username) {
      user = [...store.users.values()].find((u) => u.username.toLowerCase() === username.toLowerCase());
      if (!user) {
        try {
          user = store.addUser({ username });
        } catch (e) {
          if (e instanceof SandboxError) return reply.code(400).type("text/html; charset=utf-8").send(authorizePage(token, e.message));
          throw e;
        }
      }
    } else {
      user = store.users.get(stringField(req.body, "user_id") ?? "");
    }
    if (!user) return reply.code(400).type("text/html; charset=utf-8").send(authorizePage(token, "Choose a user or enter a username."));
    const verifier = oauth.authorize(token, user.id);
    if (verifier === undefined) return invalidPage(reply);
    return backToApp(reply, request.callback, { oauth_token: token, oauth_verifier: verifier });
  });

  app.post("/oauth/access_token", async (req, reply) => {
    const result = verify(req, { tokenSecretOf: (token) => oauth.secretOf(token) });
    if (!result.ok || result.token === null) return couldNotAuthenticate(reply);
    const exchanged = oauth.exchange(result.token, result.params.get("oauth_verifier"));
    if (!exchanged.ok) return reply.code(401).send(v1Errors(89, "Invalid or expired token."));
    let user = store.users.get(exchanged.userId);
    if (!user) return reply.code(401).send(v1Errors(89, "Invalid or expired token."));
    // a token the app invalidated is dead; authorizing again issues a fresh one, as on X
    if (!store.userByToken(user.accessToken)) user = store.addUser({ id: user.id, username: user.username });
    const record = records.get(req);
    if (record) record.userId = user.id;
    // the user's current access token, as X hands an app the same token on every authorization
    return formAnswer(reply, { oauth_token: user.accessToken, oauth_token_secret: user.accessSecret, user_id: user.id, screen_name: user.username });
  });
}
