// The business-hours editor: a time zone and, per weekday, the hours the shop answers (the
// contract keeps one opening range a day; a day without one is closed). Outside these hours the
// automation sends the auto-reply.
import { Button, Group, Select, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import { BusinessHours, WEEKDAYS, type Weekday } from "@mkt-x/core";

export interface DayRange {
  start: string;
  end: string;
}

/** What the form edits: every weekday present, null when the shop is closed that day. */
export interface BusinessHoursDraft {
  enabled: boolean;
  timezone: string;
  days: Record<Weekday, DayRange | null>;
}

export const DAY_LABELS: Record<Weekday, string> = {
  monday: "Monday",
  tuesday: "Tuesday",
  wednesday: "Wednesday",
  thursday: "Thursday",
  friday: "Friday",
  saturday: "Saturday",
  sunday: "Sunday",
};

const DEFAULT_RANGE: DayRange = { start: "09:00", end: "17:00" };
const WORKDAYS = new Set<Weekday>(["monday", "tuesday", "wednesday", "thursday", "friday"]);

const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

/** The account's hours as the form edits them; none yet: off, Monday to Friday 9 to 5 in the browser's zone. */
export function toDraft(hours: BusinessHours | null): BusinessHoursDraft {
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, hours ? (hours.schedule[d] ?? null) : WORKDAYS.has(d) ? { ...DEFAULT_RANGE } : null])) as Record<Weekday, DayRange | null>;
  return { enabled: hours?.enabled ?? false, timezone: hours?.timezone ?? browserZone(), days };
}

/** A field's error, keyed `timezone` or `<weekday>.start|end`. */
export type DraftErrors = Partial<Record<string, string>>;

/**
 * The draft as the contract's BusinessHours, checked by its schema; errors keyed for the fields.
 * Hours switched off and never set are `null` (always open).
 */
export function fromDraft(draft: BusinessHoursDraft, hadHours: boolean): { ok: true; value: BusinessHours | null } | { ok: false; errors: DraftErrors } {
  if (!draft.enabled && !hadHours) return { ok: true, value: null };
  const schedule: Partial<Record<Weekday, DayRange>> = {};
  for (const d of WEEKDAYS) {
    const range = draft.days[d];
    if (range) schedule[d] = range;
  }
  const parsed = BusinessHours.safeParse({ enabled: draft.enabled, timezone: draft.timezone, schedule });
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: DraftErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] === "schedule" ? `${String(issue.path[1])}.${String(issue.path[2] ?? "end")}` : String(issue.path[0] ?? "timezone");
    errors[key] ??= issue.message === "start must be before end" ? "Must be after the opening time" : issue.message === "unknown IANA time zone" ? "Unknown time zone" : issue.message;
  }
  return { ok: false, errors };
}

let zones: string[] | undefined;
function timeZones(current: string): string[] {
  zones ??= ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** One line of text saying when the shop is open, for read-only views. */
export function describeHours(hours: BusinessHours | null): string {
  if (!hours) return "Not set (always open)";
  if (!hours.enabled) return "Off (always open)";
  const open = WEEKDAYS.filter((d) => hours.schedule[d]).map((d) => `${DAY_LABELS[d].slice(0, 3)} ${hours.schedule[d]?.start}–${hours.schedule[d]?.end}`);
  return open.length ? `${open.join(", ")} (${hours.timezone})` : `Closed every day (${hours.timezone})`;
}

export function BusinessHoursEditor({ value, onChange, errors, disabled }: { value: BusinessHoursDraft; onChange: (next: BusinessHoursDraft) => void; errors: DraftErrors; disabled?: boolean }) {
  const setDay = (day: Weekday, range: DayRange | null) => onChange({ ...value, days: { ...value.days, [day]: range } });
  const first = WEEKDAYS.map((d) => value.days[d]).find((r) => r !== null);
  return (
    <Stack gap="sm">
      <Switch
        label="Use business hours"
        description="Outside these hours, customers who write get the auto-reply (when auto-reply is on)."
        checked={value.enabled}
        disabled={disabled}
        onChange={(e) => onChange({ ...value, enabled: e.currentTarget.checked })}
      />
      <Select
        label="Time zone"
        searchable
        data={timeZones(value.timezone)}
        value={value.timezone}
        onChange={(tz) => tz && onChange({ ...value, timezone: tz })}
        error={errors.timezone}
        disabled={disabled || !value.enabled}
        allowDeselect={false}
        maxDropdownHeight={240}
        limit={60}
        comboboxProps={{ withinPortal: true }}
      />
      <Table verticalSpacing={6} aria-label="Opening hours by weekday" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={110}>Day</Table.Th>
            <Table.Th>Hours</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {WEEKDAYS.map((day) => {
            const range = value.days[day];
            const label = DAY_LABELS[day];
            return (
              <Table.Tr key={day}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {label}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {range ? (
                    <Group gap="xs" align="flex-start" wrap="wrap">
                      <TextInput
                        type="time"
                        size="xs"
                        w={120}
                        aria-label={`${label} opens at`}
                        value={range.start}
                        error={errors[`${day}.start`]}
                        disabled={disabled || !value.enabled}
                        onChange={(e) => setDay(day, { ...range, start: e.currentTarget.value })}
                      />
                      <Text size="sm" pt={4} aria-hidden>
                        to
                      </Text>
                      <TextInput
                        type="time"
                        size="xs"
                        w={120}
                        aria-label={`${label} closes at`}
                        value={range.end}
                        error={errors[`${day}.end`]}
                        disabled={disabled || !value.enabled}
                        onChange={(e) => setDay(day, { ...range, end: e.currentTarget.value })}
                      />
                      <Button size="compact-sm" variant="subtle" color="red" disabled={disabled || !value.enabled} onClick={() => setDay(day, null)} aria-label={`Remove hours on ${label}`}>
                        Remove
                      </Button>
                    </Group>
                  ) : (
                    <Group gap="xs">
                      <Text size="sm" c="dimmed">
                        Closed
                      </Text>
                      <Button size="compact-sm" variant="light" disabled={disabled || !value.enabled} onClick={() => setDay(day, { ...(first ?? DEFAULT_RANGE) })} aria-label={`Add hours on ${label}`}>
                        Add hours
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {first ? (
        <Group>
          <Button
            size="compact-sm"
            variant="subtle"
            disabled={disabled || !value.enabled}
            onClick={() => onChange({ ...value, days: Object.fromEntries(WEEKDAYS.map((d) => [d, value.days[d] ? { ...first } : null])) as Record<Weekday, DayRange | null> })}
          >
            Use {first.start}–{first.end} on every open day
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
