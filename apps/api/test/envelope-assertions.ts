// What every REST response must look like, checked the same way in every test file.
import { expect } from "vitest";
import type { ApiResponse } from "./harness.ts";
import type { Failure, Success } from "./factories.ts";

const ERROR_KEYS = new Set(["success", "error", "code", "details"]);

/** No stack trace, no file path, no framework internals in what a client sees. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\n\s+at\s|\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+|"stack"|Prisma|PrismaClient|SELECT |TRPCError/);
}

/** `{ success: false, error, code, details? }` with the given status, as JSON. */
export function expectFailure(res: ApiResponse<unknown>, status: number, code: string): Failure {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { success: false, code } });
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  const body = res.body as Failure;
  expect(typeof body.error).toBe("string");
  expect(body.error.length).toBeGreaterThan(0);
  for (const key of Object.keys(body)) expect(ERROR_KEYS.has(key), `unexpected key ${key} in error envelope`).toBe(true);
  // the seed's details are one object ({ field, reason, … }), never a bare list
  if ("details" in body) expect(typeof body.details === "object" && body.details !== null && !Array.isArray(body.details), "details is an object").toBe(true);
  expectNoInternals(res.text);
  return body;
}

/** `{ success: true, data }` with the given status; returns data. */
export function expectSuccess<T>(res: ApiResponse<Success<T>>, status = 200): T {
  expect({ status: res.status, success: res.body.success, text: res.status === status ? "" : res.text }).toEqual({ status, success: true, text: "" });
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(res.body.pagination ? ["data", "pagination", "success"] : ["data", "success"]);
  return res.body.data;
}

/** The field paths named in a VALIDATION_ERROR's details: every issue's, or the one `field`. */
export function detailFields(failure: Failure): string[] {
  const details = failure.details;
  if (typeof details !== "object" || details === null || Array.isArray(details)) return [];
  const fieldOf = (d: unknown) => (typeof d === "object" && d !== null && "field" in d ? String(d.field) : "");
  if ("issues" in details && Array.isArray(details.issues)) return details.issues.map(fieldOf);
  return "field" in details ? [fieldOf(details)] : [];
}
