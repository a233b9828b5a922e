// The segment rule builder: one row per condition over the contract's whole field/operator
// catalogue (SEGMENT_FIELD_TYPES and the operator lists of segment-conditions.ts), with a value
// input that fits the field's type. Rows are kept as drafts (what the person typed) and turned
// into the contract's conditions by toConditions, which the API then checks again.
import { ActionIcon, Button, Group, MultiSelect, NativeSelect, NumberInput, Paper, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import {
  ATTRIBUTE_FIELD_PREFIX,
  BOOLEAN_OPERATORS,
  DATE_OPERATORS,
  ID_OPERATORS,
  NUMBER_OPERATORS,
  SEGMENT_FIELD_TYPES,
  TAG_OPERATORS,
  TEXT_OPERATORS,
  validateSegmentConditions,
  type SegmentConditionData,
  type SegmentOperator,
} from "@mkt-x/core";

export type ValueType = "tags" | "text" | "id" | "number" | "date" | "boolean";
type ColumnField = keyof typeof SEGMENT_FIELD_TYPES;

export const ATTRIBUTE_FIELD = "attribute";
const ATTRIBUTE_TYPES = ["text", "number", "date", "boolean"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const FIELD_LABELS: Record<ColumnField, string> = {
  tags: "Tags",
  username: "Username",
  displayName: "Display name",
  source: "Source",
  accountId: "X account",
  conversationCount: "Conversations",
  firstInteractionAt: "First interaction",
  lastInteractionAt: "Last interaction",
  optedOut: "Opted out",
};
export const COLUMN_FIELDS = Object.keys(SEGMENT_FIELD_TYPES) as ColumnField[];

export const OPERATORS_BY_TYPE: Record<ValueType, readonly SegmentOperator[]> = {
  tags: TAG_OPERATORS,
  text: TEXT_OPERATORS,
  id: ID_OPERATORS,
  number: NUMBER_OPERATORS,
  date: DATE_OPERATORS,
  boolean: BOOLEAN_OPERATORS,
};

const OPERATOR_LABELS: Record<SegmentOperator, string> = {
  equals: "is",
  notEquals: "is not",
  contains: "contains",
  notContains: "does not contain",
  startsWith: "starts with",
  in: "is one of",
  exists: "is set",
  notExists: "is not set",
  greaterThan: "greater than",
  lessThan: "less than",
  greaterOrEqual: "at least",
  lessOrEqual: "at most",
  between: "between",
  before: "before",
  after: "after",
  withinLastDays: "in the last (days)",
  containsAny: "has any of",
  containsAll: "has all of",
};
const TAG_OPERATOR_LABELS: Partial<Record<SegmentOperator, string>> = { contains: "has", notContains: "does not have" };

export const operatorLabel = (type: ValueType, op: SegmentOperator) => (type === "tags" ? TAG_OPERATOR_LABELS[op] : undefined) ?? OPERATOR_LABELS[op];

/** A row as typed: `value` is text, `values` a list (tags, in), `to` the upper end of a between. */
export interface RuleDraft {
  key: string;
  /** a column field, or "attribute" */
  field: ColumnField | typeof ATTRIBUTE_FIELD;
  attributeKey: string;
  attributeType: AttributeType;
  operator: SegmentOperator;
  value: string;
  to: string;
  values: string[];
}

let nextKey = 0;
const newKey = () => `rule-${++nextKey}`;

export function ruleType(rule: Pick<RuleDraft, "field" | "attributeType">): ValueType {
  return rule.field === ATTRIBUTE_FIELD ? rule.attributeType : SEGMENT_FIELD_TYPES[rule.field];
}

export function newRule(field: RuleDraft["field"] = "tags"): RuleDraft {
  const draft: RuleDraft = { key: newKey(), field, attributeKey: "", attributeType: "text", operator: "equals", value: "", to: "", values: [] };
  return { ...draft, operator: OPERATORS_BY_TYPE[ruleType(draft)][0] ?? "equals" };
}

const noValue = (op: SegmentOperator) => op === "exists" || op === "notExists";
const listValue = (type: ValueType, op: SegmentOperator) => op === "in" || (type === "tags" && (op === "containsAny" || op === "containsAll"));

/** The contract's condition for a row, or what is missing. */
export function toCondition(rule: RuleDraft): { condition: SegmentConditionData } | { problem: string } {
  const type = ruleType(rule);
  const field = rule.field === ATTRIBUTE_FIELD ? `${ATTRIBUTE_FIELD_PREFIX}${rule.attributeKey.trim()}` : rule.field;
  if (rule.field === ATTRIBUTE_FIELD && !rule.attributeKey.trim()) return { problem: "name the attribute" };
  const op = rule.operator;
  if (noValue(op)) return { condition: { field, operator: op } };
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  let value: NonNullable<SegmentConditionData["value"]>;
  if (listValue(type, op)) {
    if (rule.values.length === 0) return { problem: "add at least one value" };
    value = rule.values;
  } else if (op === "between") {
    if (!rule.value.trim() || !rule.to.trim()) return { problem: "give both ends" };
    if (type === "number") {
      const [a, b] = [num(rule.value), num(rule.to)];
      if (!Number.isFinite(a) || !Number.isFinite(b)) return { problem: "give two numbers" };
      value = [a, b];
    } else value = [rule.value, rule.to];
  } else if (type === "number" || op === "withinLastDays") {
    const n = num(rule.value);
    if (!Number.isFinite(n)) return { problem: "give a number" };
    value = n;
  } else if (type === "boolean") {
    value = rule.value === "true";
  } else {
    if (!rule.value.trim()) return { problem: "give a value" };
    value = rule.value;
  }
  return { condition: { field, operator: op, value } };
}

/** Every row's condition when they are all complete and valid by the contract's own rules; else a problem per row. */
export function toConditions(rules: readonly RuleDraft[]): { ok: true; conditions: SegmentConditionData[] } | { ok: false; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const conditions: SegmentConditionData[] = [];
  for (const rule of rules) {
    const c = toCondition(rule);
    if ("problem" in c) problems[rule.key] = c.problem;
    else conditions.push(c.condition);
  }
  if (Object.keys(problems).length) return { ok: false, problems };
  const check = validateSegmentConditions(conditions);
  if (check.ok) return { ok: true, conditions: check.conditions };
  for (const e of check.errors) {
    const rule = rules[e.index];
    if (rule) problems[rule.key] = e.reason;
  }
  return { ok: false, problems };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A row for a stored condition (the inverse of toCondition). */
export function fromCondition(c: SegmentConditionData): RuleDraft {
  const isAttribute = c.field.startsWith(ATTRIBUTE_FIELD_PREFIX);
  const v = c.value;
  let attributeType: AttributeType = "text";
  if (isAttribute) {
    if (typeof v === "number" || (Array.isArray(v) && typeof v[0] === "number")) attributeType = "number";
    else if (typeof v === "boolean") attributeType = "boolean";
    else if ((DATE_OPERATORS as readonly string[]).includes(c.operator) && !(TEXT_OPERATORS as readonly string[]).includes(c.operator)) attributeType = "date";
  }
  const field: RuleDraft["field"] = isAttribute ? ATTRIBUTE_FIELD : c.field in SEGMENT_FIELD_TYPES ? (c.field as ColumnField) : "username";
  const base: RuleDraft = { key: newKey(), field, attributeKey: isAttribute ? c.field.slice(ATTRIBUTE_FIELD_PREFIX.length) : "", attributeType, operator: c.operator, value: "", to: "", values: [] };
  const text = (x: unknown) => (typeof x === "string" && ISO_DATE.test(x) && ruleType(base) === "date" ? x.slice(0, 10) : String(x));
  if (Array.isArray(v)) {
    if (c.operator === "between") return { ...base, value: text(v[0]), to: text(v[1]) };
    return { ...base, values: v.map(String) };
  }
  return v === undefined ? base : { ...base, value: text(v) };
}

export interface RuleBuilderOptions {
  /** known tags to suggest */
  tags?: readonly string[];
  /** the merchant's X accounts, for accountId */
  accounts?: ReadonlyArray<{ value: string; label: string }>;
}

function ValueInput({ rule, n, onChange, options, disabled }: { rule: RuleDraft; n: number; onChange: (r: RuleDraft) => void; options: RuleBuilderOptions; disabled: boolean }) {
  const type = ruleType(rule);
  const op = rule.operator;
  const label = `Rule ${n} value`;
  if (noValue(op)) return null;
  if (listValue(type, op)) {
    if (type === "id")
      return (
        <MultiSelect
          aria-label={label}
          placeholder="Pick accounts"
          data={[...(options.accounts ?? [])]}
          value={rule.values}
          onChange={(values) => onChange({ ...rule, values })}
          disabled={disabled}
          miw={220}
        />
      );
    return (
      <TagsInput
        aria-label={label}
        placeholder={type === "tags" ? "Type or pick tags" : "Type a value, Enter"}
        data={type === "tags" ? [...(options.tags ?? [])] : []}
        value={rule.values}
        onChange={(values) => onChange({ ...rule, values })}
        disabled={disabled}
        miw={220}
      />
    );
  }
  if (type === "boolean")
    return (
      <NativeSelect aria-label={label} data={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} value={rule.value || "true"} onChange={(e) => onChange({ ...rule, value: e.currentTarget.value })} disabled={disabled} />
    );
  if (type === "id")
    return (
      <NativeSelect
        aria-label={label}
        data={[{ value: "", label: "Choose an account" }, ...(options.accounts ?? [])]}
        value={rule.value}
        onChange={(e) => onChange({ ...rule, value: e.currentTarget.value })}
        disabled={disabled}
      />
    );
  if (op === "withinLastDays" || type === "number") {
    const input = (which: "value" | "to", aria: string) => (
      <NumberInput
        aria-label={aria}
        value={rule[which]}
        onChange={(v) => onChange({ ...rule, [which]: String(v) })}
        allowDecimal={op !== "withinLastDays" && rule.field !== "conversationCount"}
        min={op === "withinLastDays" ? 1 : undefined}
        w={120}
        disabled={disabled}
      />
    );
    return op === "between" ? (
      <Group gap={6} wrap="nowrap">
        {input("value", `Rule ${n} from`)}
        <Text size="sm">and</Text>
        {input("to", `Rule ${n} to`)}
      </Group>
    ) : (
      input("value", label)
    );
  }
  if (type === "date") {
    const input = (which: "value" | "to", aria: string) => <TextInput type="date" aria-label={aria} value={rule[which]} onChange={(e) => onChange({ ...rule, [which]: e.currentTarget.value })} disabled={disabled} />;
    return op === "between" ? (
      <Group gap={6} wrap="nowrap">
        {input("value", `Rule ${n} from`)}
        <Text size="sm">and</Text>
        {input("to", `Rule ${n} to`)}
      </Group>
    ) : (
      input("value", label)
    );
  }
  return <TextInput type="text" aria-label={label} value={rule.value} onChange={(e) => onChange({ ...rule, value: e.currentTarget.value })} disabled={disabled} miw={180} />;
}

export function RuleRow({ rule, n, onChange, onRemove, problem, options, disabled = false }: { rule: RuleDraft; n: number; onChange: (r: RuleDraft) => void; onRemove: () => void; problem?: string | undefined; options: RuleBuilderOptions; disabled?: boolean }) {
  const type = ruleType(rule);
  const fieldData = [...COLUMN_FIELDS.map((f) => ({ value: f, label: FIELD_LABELS[f] })), { value: ATTRIBUTE_FIELD, label: "Attribute…" }];
  const changeType = (next: RuleDraft) => {
    // keep the operator when the new type has it, else take the type's first; a changed type clears the value
    const ops = OPERATORS_BY_TYPE[ruleType(next)];
    const sameType = ruleType(next) === type;
    return { ...next, operator: ops.includes(next.operator) ? next.operator : (ops[0] ?? "equals"), ...(sameType ? {} : { value: "", to: "", values: [] }) };
  };
  return (
    <Paper withBorder p="xs" role="group" aria-label={`Rule ${n}`}>
      <Group gap="xs" align="flex-start" wrap="wrap">
        <NativeSelect aria-label={`Rule ${n} field`} data={fieldData} value={rule.field} onChange={(e) => onChange(changeType({ ...rule, field: e.currentTarget.value as RuleDraft["field"] }))} disabled={disabled} />
        {rule.field === ATTRIBUTE_FIELD ? (
          <>
            <TextInput aria-label={`Rule ${n} attribute name`} placeholder="e.g. plan" value={rule.attributeKey} onChange={(e) => onChange({ ...rule, attributeKey: e.currentTarget.value })} w={130} disabled={disabled} />
            <NativeSelect
              aria-label={`Rule ${n} attribute type`}
              data={ATTRIBUTE_TYPES.map((t) => ({ value: t, label: t === "boolean" ? "yes/no" : t }))}
              value={rule.attributeType}
              onChange={(e) => onChange(changeType({ ...rule, attributeType: e.currentTarget.value as AttributeType }))}
              disabled={disabled}
            />
          </>
        ) : null}
        <NativeSelect
          aria-label={`Rule ${n} operator`}
          data={OPERATORS_BY_TYPE[type].map((op) => ({ value: op, label: operatorLabel(type, op) }))}
          value={rule.operator}
          onChange={(e) => onChange({ ...rule, operator: e.currentTarget.value as SegmentOperator, ...(e.currentTarget.value === "between" || rule.operator === "between" ? { to: "" } : {}) })}
          disabled={disabled}
        />
        <ValueInput rule={rule} n={n} onChange={onChange} options={options} disabled={disabled} />
        {disabled ? null : (
          <ActionIcon variant="subtle" color="red" aria-label={`Remove rule ${n}`} onClick={onRemove} size="lg">
            ×
          </ActionIcon>
        )}
      </Group>
      {problem ? (
        <Text size="xs" c="red" mt={4}>
          Rule {n}: {problem}
        </Text>
      ) : null}
    </Paper>
  );
}

/** The rows and the "Add rule" button; `problems` by row key. */
export function RuleBuilder({
  rules,
  onChange,
  problems = {},
  options = {},
  disabled = false,
}: {
  rules: RuleDraft[];
  onChange: (rules: RuleDraft[]) => void;
  problems?: Record<string, string>;
  options?: RuleBuilderOptions;
  disabled?: boolean;
}) {
  return (
    <Stack gap="xs">
      {rules.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rules: every contact matches.
        </Text>
      ) : null}
      {rules.map((rule, i) => (
        <RuleRow
          key={rule.key}
          rule={rule}
          n={i + 1}
          problem={problems[rule.key]}
          options={options}
          disabled={disabled}
          onChange={(r) => onChange(rules.map((x) => (x.key === rule.key ? r : x)))}
          onRemove={() => onChange(rules.filter((x) => x.key !== rule.key))}
        />
      ))}
      {disabled ? null : (
        <Group>
          <Button variant="light" size="xs" onClick={() => onChange([...rules, newRule()])}>
            Add rule
          </Button>
        </Group>
      )}
    </Stack>
  );
}
