// twitter-api-v2 has no base-URL setting and hard-codes https://api.x.com (and upload./stream.).
// Rewriting in onBeforeRequestConfig happens before OAuth signing, so the signature covers the URL
// actually requested, which is what X (or the sandbox) verifies.
import type { ITwitterApiClientPlugin } from "twitter-api-v2";

const X_HOSTS = /^https:\/\/(?:api|upload|stream)\.(?:x|twitter)\.com(?=\/|$)/;
// X answers these form-encoded; the library parses them so only while the URL is still X's own
// (https://api.x.com/oauth/...), so once rewritten it has to be told.
const FORM_ANSWERS = /^https:\/\/api\.(?:x|twitter)\.com\/oauth\/(?:request_token|access_token)$/;

export function redirectPlugin(baseUrl: string, timeoutMs: number): ITwitterApiClientPlugin {
  const target = baseUrl.replace(/\/+$/, "");
  const rewrite = (url: string): string => url.replace(X_HOSTS, target);
  return {
    onBeforeRequestConfig({ params }) {
      const original = params.url;
      params.url = rewrite(original);
      if (FORM_ANSWERS.test(original) && !params.url.startsWith("https://api.x.com/oauth/")) params.forceParseMode ??= "url";
      params.timeout ??= timeoutMs;
    },
    onBeforeStreamRequestConfig({ params }) {
      params.url = rewrite(params.url);
    },
  };
}
