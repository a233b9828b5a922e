// twitter-api-v2 has no base-URL setting and hard-codes https://api.x.com (and upload./stream.).
// Rewriting in onBeforeRequestConfig happens before OAuth signing, so the signature covers the URL
// actually requested, which is what X (or the sandbox) verifies.
import type { ITwitterApiClientPlugin } from "twitter-api-v2";

const X_HOSTS = /^https:\/\/(?:api|upload|stream)\.(?:x|twitter)\.com(?=\/|$)/;

export function redirectPlugin(baseUrl: string, timeoutMs: number): ITwitterApiClientPlugin {
  const target = baseUrl.replace(/\/+$/, "");
  const rewrite = (url: string): string => url.replace(X_HOSTS, target);
  return {
    onBeforeRequestConfig({ params }) {
      params.url = rewrite(params.url);
      params.timeout ??= timeoutMs;
    },
    onBeforeStreamRequestConfig({ params }) {
      params.url = rewrite(params.url);
    },
  };
}
