import { describe, expect, it } from "vitest";
import { CreateFlowInput, flowEntryNode, flowGraphIssues, type FlowConnection, type FlowNode } from "../src/contract/flows.ts";
import { evaluateCondition, matchesKeywords } from "../src/server/services/flows/run-flow.ts";

const end = (id: string): FlowNode => ({ id, type: "end", config: {} });
const wait = (id: string): FlowNode => ({ id, type: "wait", config: { duration: 5 } });
const link = (fromNodeId: string, toNodeId: string, condition?: "true" | "false"): FlowConnection => ({ fromNodeId, toNodeId, ...(condition ? { condition } : {}) });
const cond: FlowNode = { id: "c", type: "condition", config: { field: "tags", operator: "contains", value: "vip" } };

describe("flow graph", () => {
  it("accepts a chain and a branching condition, and finds the entry", () => {
    expect(flowGraphIssues([wait("a"), end("b")], [link("a", "b")])).toEqual([]);
    expect(flowGraphIssues([cond, end("y"), end("n")], [link("c", "y", "true"), link("c", "n", "false")])).toEqual([]);
    expect(flowEntryNode([end("b"), wait("a")], [link("a", "b")])?.id).toBe("a");
    expect(flowGraphIssues([], [])).toEqual([]);
  });

  it("names duplicates, dangling and unlabelled connections, cycles and entry counts", () => {
    expect(flowGraphIssues([end("a"), end("a")], []).map((i) => i.path)).toEqual([["nodes", 1, "id"]]);
    expect(flowGraphIssues([wait("a")], [link("a", "x")]).map((i) => i.path)).toEqual([["connections", 0, "toNodeId"]]);
    expect(flowGraphIssues([cond, end("y")], [link("c", "y")]).map((i) => i.path)).toEqual([["connections", 0, "condition"]]);
    expect(flowGraphIssues([wait("a"), end("y")], [link("a", "y", "true")]).map((i) => i.path)).toEqual([["connections", 0, "condition"]]);
    expect(flowGraphIssues([wait("a"), end("b"), end("c")], [link("a", "b"), link("a", "c")]).map((i) => i.path)).toEqual([["connections", 1]]);
    expect(flowGraphIssues([wait("s"), wait("a"), wait("b")], [link("s", "a"), link("a", "b"), link("b", "a")]).map((i) => i.message)).toEqual(["connections form a cycle"]);
    expect(flowGraphIssues([end("a"), end("b")], []).map((i) => i.path)).toEqual([["connections"]]);
  });

  it("rejects an unknown node type through the contract", () => {
    const r = CreateFlowInput.safeParse({ name: "x", trigger: { type: "manual", config: {} }, nodes: [{ id: "a", type: "teleport", config: {} }] });
    expect(r.success).toBe(false);
  });
});

describe("flow engine predicates", () => {
  it("matches keywords case-insensitively; no keywords match everything", () => {
    expect(matchesKeywords("What is the PRICE?", ["price"])).toBe(true);
    expect(matchesKeywords("hello", ["price", "cost"])).toBe(false);
    // spacing and Unicode composition aside
    expect(matchesKeywords("I want to BUY   now\nplease", ["Buy now"])).toBe(true);
    expect(matchesKeywords("giá bao nhiêu?", ["gia\u0301"])).toBe(true);
    expect(matchesKeywords("anything", ["   "])).toBe(false);
    expect(matchesKeywords("hello", undefined)).toBe(true);
    expect(matchesKeywords("hello", [])).toBe(true);
  });

  it("evaluates tags, attributes and optedOut", () => {
    const contact = { tags: ["VIP"], attributes: { tier: "gold", count: 3 }, optedOut: false };
    expect(evaluateCondition(contact, { field: "tags", operator: "contains", value: "vip" })).toBe(true);
    expect(evaluateCondition(contact, { field: "tags", operator: "contains", value: "new" })).toBe(false);
    expect(evaluateCondition(contact, { field: "attributes.tier", operator: "equals", value: "gold" })).toBe(true);
    expect(evaluateCondition(contact, { field: "attributes.count", operator: "equals", value: 3 })).toBe(true);
    expect(evaluateCondition(contact, { field: "attributes.missing", operator: "equals", value: "x" })).toBe(false);
    expect(evaluateCondition(contact, { field: "optedOut", operator: "equals", value: false })).toBe(true);
  });
});
