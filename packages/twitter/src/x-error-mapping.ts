// Turns whatever twitter-api-v2 throws into the port's XApiError. Messages carry the operation,
// the status and X's own error text, never the request's headers (they hold the OAuth tokens).
import { XApiError, type XErrorKind } from "@mkt-x/core";
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from "twitter-api-v2";
import { isRecord } from "./json-narrowing.ts";

export function kindForStatus(status: number): XErrorKind {
  if (status === 401) return "invalid_credentials";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "transient";
  return "bad_request";
}

function resetAtOf(error: ApiResponseError): Date | null {
  const fromLib = error.rateLimit?.reset;
  const fromHeader = Number(error.headers["x-rate-limit-reset"]);
  const epochSeconds = fromLib !== undefined && Number.isFinite(fromLib) && fromLib > 0 ? fromLib : fromHeader;
  return Number.isFinite(epochSeconds) && epochSeconds > 0 ? new Date(epochSeconds * 1000) : null;
}

// X's error text, bounded: v2 problems carry detail/title, 1.1 carries errors[].message.
function describe(data: unknown): string {
  if (!isRecord(data)) return "";
  const parts: string[] = [];
  for (const key of ["title", "detail", "error"]) {
    const value = data[key];
    if (typeof value === "string" && !parts.includes(value)) parts.push(value);
  }
  const errors = data["errors"];
  if (Array.isArray(errors)) {
    for (const item of errors.slice(0, 3)) {
      if (isRecord(item) && typeof item["message"] === "string") parts.push(item["message"]);
    }
  }
  return parts.join("; ").slice(0, 300);
}

// twitter-api-v2 1.29.1 stores the cause under `_options.error` but its `requestError` getter reads
// `_options.requestError`, so the getter is undefined at runtime; fall back to the stored field.
function requestErrorMessage(error: ApiRequestError): string {
  const viaGetter: unknown = error.requestError;
  if (viaGetter instanceof Error) return viaGetter.message;
  const options: unknown = Reflect.get(error, "_options");
  const cause = isRecord(options) ? options["error"] : undefined;
  return cause instanceof Error ? cause.message : "request failed";
}

export function toXApiError(error: unknown, operation: string): XApiError {
  if (error instanceof XApiError) return error;
  if (error instanceof ApiResponseError) {
    const kind = kindForStatus(error.code);
    const text = describe(error.data);
    return new XApiError(kind, `X ${operation} failed with HTTP ${error.code}${text ? `: ${text}` : ""}`, {
      status: error.code,
      resetAt: kind === "rate_limited" ? resetAtOf(error) : null,
    });
  }
  if (error instanceof ApiPartialResponseError) {
    return new XApiError("transient", `X ${operation} failed: response interrupted (${error.responseError.message})`, {
      status: error.response.statusCode ?? null,
    });
  }
  if (error instanceof ApiRequestError) {
    return new XApiError("transient", `X ${operation} failed: ${requestErrorMessage(error)}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new XApiError("transient", `X ${operation} failed: ${message}`);
}

/** A 2xx answer whose body is not what X documents: treated as transient, X's side is off. */
export const unexpectedResponse = (operation: string): XApiError =>
  new XApiError("transient", `X ${operation} returned an unexpected response body`, { status: 200 });
