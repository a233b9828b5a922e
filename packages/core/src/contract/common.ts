import { z } from "zod";

export const MAX_TAKE = 100;

export const Uuid = z.uuid({ message: "must be a UUID" });
/** A path id: any non-empty string; one that is not a UUID simply matches nothing (404, not 400). */
export const EntityId = z.string().trim().min(1).max(128);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID_RE.test(v);

export const IsoDate = z.iso.datetime({ offset: true });

/**
 * A JSON boolean, strictly. Not z.boolean() in inputs: the REST bridge (trpc-to-openapi) switches
 * on coercion of every z.boolean() of an input object, request bodies included, and then
 * Boolean("false") is true. A literal is left alone and documents as a boolean.
 */
export const JsonBoolean = z.literal([true, false]);

/** skip/take as the seed defines them: take defaults to 20 and is at most 100. */
export const PageInput = z.object({
  skip: z.coerce.number().int().min(0).default(0),
  take: z.coerce.number().int().min(1).max(MAX_TAKE).default(20),
});
export type PageInput = z.infer<typeof PageInput>;

export const Pagination = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});
export type Pagination = z.infer<typeof Pagination>;

export const paginated = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), pagination: Pagination });

export function pagination(page: PageInput, total: number): Pagination {
  return {
    page: Math.floor(page.skip / page.take) + 1,
    limit: page.take,
    total,
    totalPages: Math.ceil(total / page.take),
  };
}
