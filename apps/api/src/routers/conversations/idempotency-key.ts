import type { FastifyRequest } from "fastify";
import { AppError, IdempotencyKeyHeader } from "@mkt-x/core";

/** The request's Idempotency-Key, if it sent one; a malformed or repeated header is a 400. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers["idempotency-key"];
  if (Array.isArray(raw)) throw new AppError("VALIDATION_ERROR", "Idempotency-Key must be sent once", [{ field: "Idempotency-Key", message: "sent more than once" }]);
  const parsed = IdempotencyKeyHeader.shape["Idempotency-Key"].safeParse(raw);
  if (!parsed.success) throw new AppError("VALIDATION_ERROR", "Invalid Idempotency-Key header", [{ field: "Idempotency-Key", message: "1 to 255 characters" }]);
  return parsed.data;
}
