import { describe, expect, it } from "vitest";
import { PageInput, pagination } from "../src/contract/common.ts";
import { can } from "../src/roles.ts";

describe("pagination", () => {
  it("derives page, limit and totalPages from skip/take", () => {
    expect(pagination({ skip: 0, take: 20 }, 0)).toEqual({ page: 1, limit: 20, total: 0, totalPages: 0 });
    expect(pagination({ skip: 40, take: 20 }, 41)).toEqual({ page: 3, limit: 20, total: 41, totalPages: 3 });
  });

  it("defaults take to 20 and caps it at 100", () => {
    expect(PageInput.parse({})).toEqual({ skip: 0, take: 20 });
    expect(PageInput.safeParse({ take: "101" }).success).toBe(false);
    expect(PageInput.safeParse({ skip: "-1" }).success).toBe(false);
  });
});

describe("roles", () => {
  it("lets viewers read, agents work the inbox, admins and owners do everything", () => {
    expect([can("viewer", "read"), can("viewer", "inbox"), can("viewer", "admin")]).toEqual([true, false, false]);
    expect([can("agent", "read"), can("agent", "inbox"), can("agent", "admin")]).toEqual([true, true, false]);
    expect([can("admin", "admin"), can("owner", "admin")]).toEqual([true, true]);
  });
});
