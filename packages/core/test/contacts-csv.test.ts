import { describe, expect, it } from "vitest";
import { csvHeader, csvRecord, formatAttributeCell, neutralizeCsvCell, parseAttributeCell, readCsvHeader, readCsvRow, restoreCsvCell, type CsvColumn } from "../src/domain/contacts-csv.ts";
import { mergeAttributes, mergeTags, normalizeTag, tagProblem, toAttributes } from "../src/domain/contact-fields.ts";

const columnsOf = (cells: string[]): CsvColumn[] => {
  const header = readCsvHeader(cells);
  if ("problems" in header) throw new Error(JSON.stringify(header.problems));
  return header.columns;
};

describe("readCsvHeader", () => {
  it("reads the fixed columns case-insensitively and attr.<key> columns with their key as written", () => {
    expect(columnsOf([" TwitterUserId ", "USERNAME", "displayname", "Tags", "attr.purchaseCount", "ATTR.Tier"])).toEqual([
      { kind: "twitterUserId" },
      { kind: "username" },
      { kind: "displayName" },
      { kind: "tags" },
      { kind: "attribute", key: "purchaseCount" },
      { kind: "attribute", key: "Tier" },
    ]);
    expect(columnsOf(["username"])).toEqual([{ kind: "username" }]);
  });

  it("names every problem: unknown, duplicate and badly keyed columns, no key column", () => {
    expect(readCsvHeader(["twitterUserId", "name", "attr.1x", "tags", "TAGS", "attr.a", "attr.a"])).toEqual({
      problems: [
        { field: "header.2", message: expect.stringContaining('unknown column "name"') },
        { field: "header.3", message: expect.stringContaining("attr.1x") },
        { field: "header.5", message: expect.stringContaining("twice") },
        { field: "header.7", message: expect.stringContaining("twice") },
      ],
    });
    expect(readCsvHeader(["displayName", "tags"])).toEqual({ problems: [{ field: "header", message: expect.stringContaining("twitterUserId or a username") }] });
  });
});

describe("readCsvRow", () => {
  const columns = columnsOf(["twitterUserId", "username", "displayName", "tags", "attr.tier", "attr.n"]);

  it("normalizes: trimmed cells, @ dropped, tags split on | and ; then lower-cased and deduplicated", () => {
    expect(readCsvRow(columns, [" 42 ", "@Jo_Hn", "  John  ", "VIP| customer ;vip;;", "gold", "7"])).toEqual({
      ok: true,
      row: { twitterUserId: "42", username: "Jo_Hn", displayName: "John", tags: ["vip", "customer"], attributes: { tier: "gold", n: 7 } },
    });
  });

  it("leaves empty cells out, and takes a short row as ending in empty cells", () => {
    expect(readCsvRow(columns, ["42", "", ""])).toEqual({ ok: true, row: { twitterUserId: "42", username: null, displayName: null, tags: [], attributes: {} } });
    expect(readCsvRow(columns, ["", "someone"])).toMatchObject({ ok: true, row: { twitterUserId: null, username: "someone" } });
  });

  it("refuses a row with a reason and the field at fault", () => {
    const cases: Array<[string[], string | null, string]> = [
      [["", "", "Name"], "twitterUserId", "is required"],
      [["12a"], "twitterUserId", "numeric"],
      [["1".repeat(21)], "twitterUserId", "numeric"],
      [["1", "bad name"], "username", "letters"],
      [["1", "", "x".repeat(101)], "displayName", "at most 100"],
      [["1", "", "", "ok|a,b"], "tags", ", ; or |"],
      [["1", "", "", "y".repeat(51)], "tags", "at most 50"],
      [["1", "", "", Array.from({ length: 101 }, (_, i) => `t${i}`).join("|")], "tags", "at most 100 tags"],
      [["1", "", "", "", "", "", "extra"], null, "at most 6 columns"],
    ];
    for (const [cells, field, reason] of cases) {
      expect(readCsvRow(columns, cells), JSON.stringify(cells)).toEqual({ ok: false, field, reason: expect.stringContaining(reason) });
    }
    const many = columnsOf(["twitterUserId", ...Array.from({ length: 101 }, (_, i) => `attr.k${i}`)]);
    expect(readCsvRow(many, ["1", ...Array.from({ length: 101 }, () => "v")])).toEqual({ ok: false, field: "attributes", reason: expect.stringContaining("at most 100 attributes") });
  });
});

describe("attribute cells", () => {
  it("types a cell: booleans, JSON numbers, JSON string literals, else text", () => {
    const cases: Array<[string, unknown]> = [
      ["", undefined],
      ["   ", undefined],
      ["true", true],
      ["FALSE", false],
      ["5", 5],
      ["-2.5", -2.5],
      ["1e3", 1000],
      ["007", "007"],
      ["1.", "1."],
      ["+1", "+1"],
      ["9007199254740993", "9007199254740993"],
      ['"123"', "123"],
      ['""', ""],
      ['"true"', "true"],
      ['"unterminated', '"unterminated'],
      ["  gold ", "gold"],
      ["Hà Nội", "Hà Nội"],
    ];
    for (const [cell, value] of cases) expect(parseAttributeCell(cell), JSON.stringify(cell)).toBe(value);
  });

  it("formats every value so that it reads back the same", () => {
    const values = ["gold", "", " padded ", "007", "123", "1e3", "true", "FALSE", '"quoted"', 'say "hi"', "a,b", "multi\nline", 0, -2.5, 1e21, 12345678901234, true, false];
    for (const value of values) expect(parseAttributeCell(formatAttributeCell(value)), JSON.stringify(value)).toBe(value);
    expect(formatAttributeCell("gold")).toBe("gold");
    expect(formatAttributeCell("123")).toBe('"123"');
    expect(formatAttributeCell(undefined)).toBe("");
  });

  it("writes a record in header order, tags joined by |", () => {
    expect(csvHeader(["a", "b"])).toEqual(["twitterUserId", "username", "displayName", "tags", "attr.a", "attr.b"]);
    expect(csvRecord({ twitterUserId: "1", username: null, displayName: "N", tags: ["x", "y"], attributes: { b: 2 } }, ["a", "b"])).toEqual(["1", "", "N", "x|y", "", "2"]);
  });

  it("neutralizes cells a spreadsheet would run as formulas (OWASP CSV injection), and reads them back", () => {
    const hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "'=already quoted", "''+two"];
    for (const cell of hostile) {
      const written = neutralizeCsvCell(cell);
      expect(written.startsWith("'"), cell).toBe(true);
      expect(restoreCsvCell(written)).toBe(cell);
    }
    for (const safe of ["John", "a=b", "it's", "'quoted'", "", "42"]) {
      expect(neutralizeCsvCell(safe)).toBe(safe);
      expect(restoreCsvCell(safe)).toBe(safe);
    }
    const record = csvRecord({ twitterUserId: "1", username: "u", displayName: "=cmd|' /C calc'!A0", tags: ["-vip"], attributes: { n: -5, s: "@home" } }, ["n", "s"]);
    expect(record).toEqual(["1", "u", "'=cmd|' /C calc'!A0", "'-vip", "'-5", "'@home"]);
    expect(record.every((c) => !/^[=+\-@\t\r]/.test(c))).toBe(true);
    const columns = readCsvHeader(csvHeader(["n", "s"]));
    if (!("columns" in columns)) throw new Error("header refused");
    expect(readCsvRow(columns.columns, record)).toEqual({ ok: true, row: { twitterUserId: "1", username: "u", displayName: "=cmd|' /C calc'!A0", tags: ["-vip"], attributes: { n: -5, s: "@home" } } });
  });
});

describe("contact fields", () => {
  it("normalizes tags to one form: trimmed, lower-cased, Unicode-composed", () => {
    expect(normalizeTag("  VIP ")).toBe("vip");
    expect(normalizeTag("Khu\u0301ch")).toBe(normalizeTag("Kh\u00fach"));
    expect(tagProblem("")).toMatch(/empty/);
    expect(tagProblem("đ".repeat(50))).toBeNull();
    expect(tagProblem("đ".repeat(51))).toMatch(/50/);
    expect(tagProblem("a\tb")).toMatch(/control/);
    expect(tagProblem("50%off")).toBeNull();
  });

  it("merges tags in order of first appearance and attributes with null deleting", () => {
    expect(mergeTags(["a", "b"], ["b", "c", "a", "d"])).toEqual(["a", "b", "c", "d"]);
    expect(mergeAttributes({ a: 1, b: "x" }, { b: null, c: true, d: null })).toEqual({ a: 1, c: true });
    expect(toAttributes({ a: 1, nested: { x: 1 }, list: [1], n: null, s: "s" })).toEqual({ a: 1, s: "s" });
    expect(toAttributes([1])).toEqual({});
  });
});
