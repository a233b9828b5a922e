import type { SegmentModel } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { SegmentConditions, type Segment } from "../../../contract/segments.ts";
import { validateSegmentConditions, type SegmentConditionData, type SegmentMatch } from "../../../domain/segment-conditions.ts";

export const matchOf = (stored: string): SegmentMatch => (stored === "any" ? "any" : "all");

/** Conditions from a client: normalized, or a 400 naming each faulty condition by its index. */
export function checkConditions(raw: readonly unknown[]): SegmentConditionData[] {
  const check = validateSegmentConditions(raw);
  if (check.ok) return check.conditions;
  const [first] = check.errors;
  const summary = first ? `${first.field}: ${first.reason}` : "";
  throw new AppError("VALIDATION_ERROR", `Invalid segment conditions (${summary}${check.errors.length > 1 ? `; and ${check.errors.length - 1} more` : ""})`, check.errors);
}

/** A stored segment's conditions. Only the validator ever writes them, so a failure here is ours. */
export function storedConditions(row: Pick<SegmentModel, "id" | "conditions">): SegmentConditionData[] {
  const parsed = SegmentConditions.safeParse(row.conditions);
  if (!parsed.success) throw new AppError("INTERNAL_ERROR", `Segment ${row.id} holds conditions that are no longer valid`);
  return parsed.data;
}

/** The allowlist of what leaves the server about a segment. */
export function toSegmentDto(row: SegmentModel, contactCount: number): Segment {
  return {
    id: row.id,
    merchantId: row.merchantId,
    name: row.name,
    conditions: storedConditions(row),
    match: matchOf(row.match),
    contactCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
