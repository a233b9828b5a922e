import { useState } from "react";
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { BOOLEAN_OPERATORS, DATE_OPERATORS, ID_OPERATORS, NUMBER_OPERATORS, SEGMENT_FIELD_TYPES, TAG_OPERATORS, TEXT_OPERATORS, type SegmentConditionData } from "@mkt-x/core";
import { FIELD_LABELS, RuleBuilder, fromCondition, newRule, toConditions, type RuleDraft } from "../src/screens/segments/rule-builder.tsx";

const EXPECTED: Record<string, readonly string[]> = { tags: TAG_OPERATORS, text: TEXT_OPERATORS, id: ID_OPERATORS, number: NUMBER_OPERATORS, date: DATE_OPERATORS, boolean: BOOLEAN_OPERATORS };
const ACCOUNT = "0b0f0c0e-1111-4222-8333-444455556666";

function Harness({ initial = [newRule()], onConditions }: { initial?: RuleDraft[]; onConditions?: (c: ReturnType<typeof toConditions>) => void }) {
  const [rules, setRules] = useState(initial);
  const built = toConditions(rules);
  onConditions?.(built);
  return <RuleBuilder rules={rules} onChange={setRules} problems={built.ok ? {} : built.problems} options={{ tags: ["vip", "customer"], accounts: [{ value: ACCOUNT, label: "@shop" }] }} />;
}

const renderBuilder = (props: Parameters<typeof Harness>[0] = {}) =>
  render(
    <MantineProvider>
      <Harness {...props} />
    </MantineProvider>,
  );

const optionValues = (select: HTMLElement) => within(select).getAllByRole("option").map((o) => (o as HTMLOptionElement).value);

describe("the segment rule builder", () => {
  it("offers every field of the contract, and for each exactly the operators of its type", async () => {
    renderBuilder();
    const field = screen.getByLabelText("Rule 1 field");
    expect(optionValues(field)).toEqual([...Object.keys(SEGMENT_FIELD_TYPES), "attribute"]);
    for (const [name, type] of Object.entries(SEGMENT_FIELD_TYPES)) {
      await userEvent.selectOptions(field, name);
      expect(within(field).getByRole("option", { name: FIELD_LABELS[name as keyof typeof FIELD_LABELS] })).toHaveProperty("selected", true);
      expect(optionValues(screen.getByLabelText("Rule 1 operator"))).toEqual(EXPECTED[type]);
    }
    await userEvent.selectOptions(field, "attribute");
    for (const type of ["text", "number", "date", "boolean"]) {
      await userEvent.selectOptions(screen.getByLabelText("Rule 1 attribute type"), type);
      expect(optionValues(screen.getByLabelText("Rule 1 operator"))).toEqual(EXPECTED[type]);
    }
  });

  it("changes the value input with the field's type and the operator", async () => {
    renderBuilder();
    const field = screen.getByLabelText("Rule 1 field");
    const operator = () => screen.getByLabelText("Rule 1 operator");

    await userEvent.selectOptions(field, "username");
    expect(screen.getByLabelText("Rule 1 value")).toHaveAttribute("type", "text");
    await userEvent.selectOptions(operator(), "exists");
    expect(screen.queryByLabelText("Rule 1 value")).toBeNull();

    await userEvent.selectOptions(field, "conversationCount");
    expect(screen.getByLabelText("Rule 1 value").getAttribute("inputmode")).toMatch(/^(numeric|decimal)$/);
    await userEvent.selectOptions(operator(), "between");
    expect(screen.getByLabelText("Rule 1 from")).toBeInTheDocument();
    expect(screen.getByLabelText("Rule 1 to")).toBeInTheDocument();

    await userEvent.selectOptions(field, "lastInteractionAt");
    expect(screen.getByLabelText("Rule 1 from")).toHaveAttribute("type", "date");
    await userEvent.selectOptions(operator(), "after");
    expect(screen.getByLabelText("Rule 1 value")).toHaveAttribute("type", "date");
    await userEvent.selectOptions(operator(), "withinLastDays");
    expect(screen.getByLabelText("Rule 1 value")).not.toHaveAttribute("type", "date");

    await userEvent.selectOptions(field, "optedOut");
    expect(optionValues(screen.getByLabelText("Rule 1 value"))).toEqual(["true", "false"]);

    await userEvent.selectOptions(field, "accountId");
    expect(within(screen.getByLabelText("Rule 1 value")).getByRole("option", { name: "@shop" })).toBeInTheDocument();

    await userEvent.selectOptions(field, "tags");
    await userEvent.selectOptions(operator(), "containsAny");
    const tags = screen.getByRole("combobox", { name: "Rule 1 value" });
    await userEvent.type(tags, "vip{Enter}");
    expect(within(screen.getByRole("group", { name: "Rule 1" })).getByText("vip")).toBeInTheDocument();
  });

  it("builds the contract's conditions from the rows, and says what a row still lacks", async () => {
    let last: ReturnType<typeof toConditions> | undefined;
    renderBuilder({ initial: [], onConditions: (c) => (last = c) });
    expect(screen.getByText("No rules: every contact matches.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    await userEvent.selectOptions(screen.getByLabelText("Rule 1 field"), "conversationCount");
    await userEvent.selectOptions(screen.getByLabelText("Rule 1 operator"), "greaterOrEqual");
    expect(screen.getByText("Rule 1: give a number")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Rule 1 value"), "3");
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    await userEvent.selectOptions(screen.getByLabelText("Rule 2 field"), "attribute");
    await userEvent.type(screen.getByLabelText("Rule 2 attribute name"), "plan");
    await userEvent.selectOptions(screen.getByLabelText("Rule 2 operator"), "equals");
    await userEvent.type(screen.getByLabelText("Rule 2 value"), "gold");
    expect(last).toEqual({
      ok: true,
      conditions: [
        { field: "conversationCount", operator: "greaterOrEqual", value: 3 },
        { field: "attributes.plan", operator: "equals", value: "gold" },
      ],
    });
    await userEvent.click(screen.getByRole("button", { name: "Remove rule 1" }));
    expect(last).toEqual({ ok: true, conditions: [{ field: "attributes.plan", operator: "equals", value: "gold" }] });
  });

  it("reads stored conditions back into rows that give the same conditions", () => {
    const stored: SegmentConditionData[] = [
      { field: "tags", operator: "containsAll", value: ["vip", "customer"] },
      { field: "username", operator: "startsWith", value: "al" },
      { field: "accountId", operator: "in", value: [ACCOUNT] },
      { field: "conversationCount", operator: "between", value: [1, 5] },
      { field: "firstInteractionAt", operator: "after", value: "2026-01-01" },
      { field: "lastInteractionAt", operator: "withinLastDays", value: 30 },
      { field: "optedOut", operator: "equals", value: false },
      { field: "attributes.spent", operator: "greaterThan", value: 100 },
      { field: "attributes.member", operator: "equals", value: true },
      { field: "attributes.birthday", operator: "before", value: "2000-01-01" },
      { field: "displayName", operator: "notExists" },
    ];
    expect(toConditions(stored.map(fromCondition))).toEqual({ ok: true, conditions: stored });
  });
});
