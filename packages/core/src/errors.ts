// The one error type of the service. Codes are a closed union; the status map is exhaustive so a
// new code that is not mapped does not compile.
export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "RESOURCE_NOT_FOUND",
  "DUPLICATE_RESOURCE",
  "CONFLICT",
  "UNPROCESSABLE_ENTITY",
  "RATE_LIMIT_EXCEEDED",
  "TWITTER_API_ERROR",
  "AI_SERVICE_ERROR",
  "SERVICE_UNAVAILABLE",
  "INTERNAL_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RESOURCE_NOT_FOUND: 404,
  DUPLICATE_RESOURCE: 409,
  CONFLICT: 409,
  UNPROCESSABLE_ENTITY: 422,
  RATE_LIMIT_EXCEEDED: 429,
  TWITTER_API_ERROR: 502,
  AI_SERVICE_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;
  /** Overrides the code's default status where the seed asks for another one (X's 401 on connect → 400). */
  readonly status: number;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, status?: number) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.status = status ?? ERROR_STATUS[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const notFound = (what: string, id?: string) =>
  new AppError("RESOURCE_NOT_FOUND", `${what} not found`, id ? { field: "id", reason: `${what} ${id} not found` } : undefined);
