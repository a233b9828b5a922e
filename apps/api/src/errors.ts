// One translation from anything thrown to AppError; REST and tRPC both format from it.
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { AppError, type ErrorDetails } from "@mkt-x/core";
import { Prisma, isDatabaseUnavailable } from "@mkt-x/db";

const fieldOf = (path: PropertyKey[]) => path.map(String).join(".");
// an unknown key is reported on its parent object; name each key's own path instead
const zodDetails = (e: ZodError) =>
  e.issues.flatMap((i) =>
    i.code === "unrecognized_keys" ? i.keys.map((key) => ({ field: fieldOf([...i.path, key]), message: `Unrecognized key: "${key}"` })) : [{ field: fieldOf(i.path), message: i.message }],
  );

const TRPC_CODES: Partial<Record<TRPCError["code"], () => AppError>> = {
  NOT_FOUND: () => new AppError("RESOURCE_NOT_FOUND", "Route not found"),
  PARSE_ERROR: () => new AppError("VALIDATION_ERROR", "Malformed JSON body"),
  UNSUPPORTED_MEDIA_TYPE: () => new AppError("VALIDATION_ERROR", "Request body must be application/json", undefined, 415),
  PAYLOAD_TOO_LARGE: () => new AppError("VALIDATION_ERROR", "Request body too large", undefined, 413),
  METHOD_NOT_SUPPORTED: () => new AppError("RESOURCE_NOT_FOUND", "Route not found", undefined, 405),
  UNAUTHORIZED: () => new AppError("UNAUTHORIZED", "Authentication required"),
  FORBIDDEN: () => new AppError("FORBIDDEN", "Insufficient permissions"),
  TOO_MANY_REQUESTS: () => new AppError("RATE_LIMIT_EXCEEDED", "Too many requests"),
};

export function toAppError(e: unknown): AppError {
  const app = translate(e);
  return Array.isArray(app.details) ? new AppError(app.code, app.message, detailsObject(app.details), app.status) : app;
}

/**
 * The seed's error details are one object, `{ field, reason }`. A list of issues (zod's, or a
 * service's `[{ field, message }]`) answers its first issue in that form and all of them under
 * `issues`; objects are answered as they are.
 */
export function detailsObject(details: ErrorDetails): Record<string, unknown> {
  if (!Array.isArray(details)) return details;
  const first = details[0];
  const reason = first?.message ?? first?.reason;
  return {
    ...(typeof first?.field === "string" ? { field: first.field } : {}),
    ...(typeof reason === "string" ? { reason } : {}),
    issues: details,
  };
}

function translate(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof TRPCError) {
    if (e.cause instanceof AppError) return e.cause;
    if (e.cause instanceof ZodError) {
      // input parsing failed; output parsing failures are INTERNAL_SERVER_ERROR and stay a 500
      if (e.code === "BAD_REQUEST") return new AppError("VALIDATION_ERROR", "Request validation failed", zodDetails(e.cause));
    }
    const mapped = TRPC_CODES[e.code];
    if (mapped) return mapped();
    if (e.code === "BAD_REQUEST") return new AppError("VALIDATION_ERROR", e.message);
    return e.cause ? translate(e.cause) : internal();
  }
  if (e instanceof ZodError) return new AppError("VALIDATION_ERROR", "Request validation failed", zodDetails(e));
  // PostgreSQL stopped, restarting or unreachable: not our bug and not the caller's; retry shortly
  if (isDatabaseUnavailable(e)) return new AppError("SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly");
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    if (e.code === "P2002") return new AppError("DUPLICATE_RESOURCE", "Resource already exists");
    if (e.code === "P2025") return new AppError("RESOURCE_NOT_FOUND", "Resource not found");
  }
  // fastify's own 4xx (bad JSON, wrong content type, body too large)
  if (e instanceof Error && "statusCode" in e && typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const code = "code" in e ? String(e.code) : "";
    if (code === "FST_ERR_CTP_INVALID_JSON_BODY" || e instanceof SyntaxError) return new AppError("VALIDATION_ERROR", "Malformed JSON body");
    if (e.statusCode === 404) return new AppError("RESOURCE_NOT_FOUND", "Route not found");
    if (e.statusCode === 429) return new AppError("RATE_LIMIT_EXCEEDED", "Too many requests");
    return new AppError("VALIDATION_ERROR", e.message, undefined, e.statusCode);
  }
  return internal();
}

const internal = () => new AppError("INTERNAL_ERROR", "Internal server error");

/** Errors that are our fault, worth logging with their stack. */
export const isServerFault = (e: AppError) => e.status >= 500 && e.code !== "TWITTER_API_ERROR" && e.code !== "AI_SERVICE_ERROR" && e.code !== "SERVICE_UNAVAILABLE";

export function envelopeOf(e: AppError) {
  return { success: false as const, error: e.message, code: e.code, ...(e.details !== undefined ? { details: detailsObject(e.details) } : {}) };
}
