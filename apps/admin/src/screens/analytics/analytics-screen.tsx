// The dashboard: the period's headline figures, then charts of contacts, conversations, campaigns
// and automation. The period, the buckets and the account live in the URL so a view can be shared.
// Each chart is named for assistive technology and has its figures in a visually hidden table.
import "@mantine/charts/styles.css";
import { useId, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { AreaChart, BarChart, LineChart } from "@mantine/charts";
import { Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { ANALYTICS_GROUP_BY } from "@mkt-x/core";
import { useTRPC } from "../../lib/trpc.ts";
import { EmptyState, ErrorState, Loading, PageHeader, QueryView, formatNumber } from "../../lib/ui.tsx";
import { analyticsRoute } from "./route.ts";
import { PRESETS, periodOf, type AnalyticsSearch } from "./period.ts";

const GROUP_LABELS = { day: "Day", week: "Week", month: "Month" } as const;
const pct = (n: number) => `${Math.round(n * 100)}%`;
const shortDay = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

export function AnalyticsScreen() {
  const trpc = useTRPC();
  const search = analyticsRoute.useSearch();
  const navigate = useNavigate({ from: analyticsRoute.fullPath });
  const { startDate, endDate } = periodOf(search);
  const groupBy = search.groupBy ?? "day";
  const accountId = search.accountId;
  const period = { startDate, endDate, accountId };
  const setSearch = (patch: Partial<AnalyticsSearch>) => void navigate({ search: (s) => ({ ...s, ...patch }), replace: true });

  const accounts = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const overview = useQuery(trpc.analytics.overview.queryOptions(period));
  const contacts = useQuery(trpc.analytics.contacts.queryOptions({ ...period, groupBy }));
  const conversations = useQuery(trpc.analytics.conversations.queryOptions({ ...period, groupBy }));
  const campaigns = useQuery(trpc.analytics.campaigns.queryOptions(period));
  const automation = useQuery(trpc.analytics.automation.queryOptions(period));

  return (
    <>
      <PageHeader title="Analytics" description={`${shortDay(startDate)} to ${shortDay(endDate)} (UTC)`} />
      <Paper withBorder p="sm" mb="md" component="section" aria-label="Period">
        <Group align="flex-end" gap="md" wrap="wrap">
          <SegmentedControl
            aria-label="Preset period"
            value={search.preset ?? (search.from || search.to ? "custom" : "30d")}
            data={[...PRESETS.map((p) => ({ value: p.value, label: p.label })), { value: "custom", label: "Custom", disabled: true }]}
            onChange={(v) => setSearch({ preset: PRESETS.find((p) => p.value === v)?.value, from: undefined, to: undefined })}
          />
          <TextInput type="date" label="From" value={startDate} max={endDate} onChange={(e) => e.currentTarget.value && setSearch({ from: e.currentTarget.value, to: endDate, preset: undefined })} w={170} />
          <TextInput type="date" label="To" value={endDate} min={startDate} onChange={(e) => e.currentTarget.value && setSearch({ to: e.currentTarget.value, from: startDate, preset: undefined })} w={170} />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="group-by-label">
              Group by
            </Text>
            <SegmentedControl aria-labelledby="group-by-label" value={groupBy} data={ANALYTICS_GROUP_BY.map((g) => ({ value: g, label: GROUP_LABELS[g] }))} onChange={(v) => setSearch({ groupBy: ANALYTICS_GROUP_BY.find((g) => g === v) })} />
          </Stack>
          <Select
            label="Account"
            placeholder="All accounts"
            clearable
            w={220}
            data={(accounts.data?.data ?? []).map((a) => ({ value: a.id, label: `@${a.username}` }))}
            value={accountId ?? null}
            onChange={(v) => setSearch({ accountId: v ?? undefined })}
          />
        </Group>
      </Paper>

      <Stack gap="lg">
        <section aria-labelledby="overview-title">
          <Title order={2} size="h4" id="overview-title" mb="sm">
            Overview
          </Title>
          <QueryView query={overview}>
            {(o) => (
              <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
                <Stat label="Contacts" value={formatNumber(o.contacts.total)} detail={`${formatNumber(o.contacts.new)} new · ${formatNumber(o.contacts.active)} active`} />
                <Stat label="Conversations" value={formatNumber(o.conversations.total)} detail={`${formatNumber(o.conversations.open)} open · ${formatNumber(o.conversations.closed)} closed`} />
                <Stat label="Avg. response time" value={o.conversations.averageResponseTime ?? "—"} detail="to a customer's turn" />
                <Stat label="Campaign DMs sent" value={formatNumber(o.campaigns.totalMessagesSent)} detail={`${formatNumber(o.campaigns.active)} active · ${formatNumber(o.campaigns.completed)} completed`} />
                <Stat label="Active flows" value={formatNumber(o.automation.activeFlows)} detail="now" />
                <Stat label="Flow executions" value={formatNumber(o.automation.totalExecutions)} detail="started in the period" />
              </SimpleGrid>
            )}
          </QueryView>
        </section>

        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
          <ChartCard
            title={`Contacts by ${groupBy}`}
            query={contacts}
            isEmpty={(d) => d.series.every((s) => s.new === 0 && s.active === 0)}
            summary={(d) => `${formatNumber(d.new)} new, ${formatNumber(d.active)} active, ${formatNumber(d.total)} in all`}
            table={(d) => ({ columns: ["Period", "New", "Active"], rows: d.series.map((s) => [s.period, s.new, s.active]) })}
          >
            {(d) => (
              <AreaChart
                h={240}
                data={d.series.map((s) => ({ ...s, label: shortDay(s.period) }))}
                dataKey="label"
                series={[
                  { name: "new", label: "New", color: "blue.7" },
                  { name: "active", label: "Active", color: "teal.7" },
                ]}
                curveType="monotone"
                withLegend
                areaChartProps={{ accessibilityLayer: false }}
              />
            )}
          </ChartCard>
          <ChartCard
            title={`Conversations by ${groupBy}`}
            query={conversations}
            isEmpty={(d) => d.series.every((s) => s.started === 0 && s.inbound === 0 && s.outbound === 0)}
            summary={(d) => `${formatNumber(d.total)} started (${formatNumber(d.open)} open), ${formatNumber(d.messages.inbound)} DMs in, ${formatNumber(d.messages.outbound)} out; mean response ${d.averageResponseTime ?? "—"}`}
            table={(d) => ({ columns: ["Period", "Started", "DMs in", "DMs out"], rows: d.series.map((s) => [s.period, s.started, s.inbound, s.outbound]) })}
          >
            {(d) => (
              <LineChart
                h={240}
                data={d.series.map((s) => ({ ...s, label: shortDay(s.period) }))}
                dataKey="label"
                series={[
                  { name: "started", label: "Started", color: "blue.7" },
                  { name: "inbound", label: "DMs in", color: "grape.7" },
                  { name: "outbound", label: "DMs out", color: "teal.7" },
                ]}
                curveType="monotone"
                withLegend
                lineChartProps={{ accessibilityLayer: false }}
              />
            )}
          </ChartCard>
          <ChartCard
            title="Campaigns"
            query={campaigns}
            isEmpty={(d) => d.campaigns.length === 0}
            summary={(d) => `${d.campaigns.length} campaign${d.campaigns.length === 1 ? "" : "s"} ran in the period`}
            table={(d) => ({
              columns: ["Campaign", "Status", "Sent", "Delivered", "Opened", "Clicked", "Replied", "Failed", "Open rate", "Reply rate"],
              rows: d.campaigns.map((c) => [c.name, c.status, c.totalSent, c.delivered, c.opened, c.clicked, c.replied, c.failed, pct(c.openRate), pct(c.replyRate)]),
            })}
          >
            {(d) => (
              <BarChart
                h={260}
                data={d.campaigns.map((c) => ({ name: c.name, delivered: c.delivered, opened: c.opened, clicked: c.clicked, replied: c.replied, failed: c.failed }))}
                dataKey="name"
                series={[
                  { name: "delivered", label: "Delivered", color: "blue.7" },
                  { name: "opened", label: "Opened", color: "teal.7" },
                  { name: "clicked", label: "Clicked", color: "grape.7" },
                  { name: "replied", label: "Replied", color: "orange.7" },
                  { name: "failed", label: "Failed", color: "red.7" },
                ]}
                withLegend
                barChartProps={{ accessibilityLayer: false }}
              />
            )}
          </ChartCard>
          <ChartCard
            title="Automation"
            query={automation}
            isEmpty={(d) => d.flows.length === 0}
            summary={(d) => `${formatNumber(d.activeFlows)} active flow${d.activeFlows === 1 ? "" : "s"}, ${formatNumber(d.totalExecutions)} executions started`}
            table={(d) => ({ columns: ["Flow", "Status", "Executions", "Completed", "Running", "Failed", "Cancelled"], rows: d.flows.map((f) => [f.name, f.status, f.executions, f.completed, f.running, f.failed, f.cancelled]) })}
          >
            {(d) => (
              <BarChart
                h={260}
                type="stacked"
                data={d.flows.map((f) => ({ name: f.name, completed: f.completed, running: f.running, failed: f.failed, cancelled: f.cancelled }))}
                dataKey="name"
                series={[
                  { name: "completed", label: "Completed", color: "teal.7" },
                  { name: "running", label: "Running", color: "blue.7" },
                  { name: "failed", label: "Failed", color: "red.7" },
                  { name: "cancelled", label: "Cancelled", color: "gray.6" },
                ]}
                withLegend
                barChartProps={{ accessibilityLayer: false }}
              />
            )}
          </ChartCard>
        </SimpleGrid>
      </Stack>
    </>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {detail}
      </Text>
    </Paper>
  );
}

type Cell = string | number;

/** A chart with its name, a one-line summary, and its figures as a table for screen readers. */
function ChartCard<T>({
  title,
  query,
  isEmpty,
  summary,
  table,
  children,
}: {
  title: string;
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  isEmpty: (d: T) => boolean;
  summary: (d: T) => string;
  table: (d: T) => { columns: string[]; rows: Cell[][] };
  children: (d: T) => ReactNode;
}) {
  const id = useId();
  let body: ReactNode;
  if (query.isPending) body = <Loading />;
  else if (query.error || query.data === undefined) body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  else {
    const d = query.data;
    const t = table(d);
    body = (
      <>
        <Text size="sm" c="dimmed" mb="xs">
          {summary(d)}
        </Text>
        {isEmpty(d) ? (
          <EmptyState title="Nothing in this period">Try a longer period.</EmptyState>
        ) : (
          <>
            <div role="img" aria-label={`${title}: chart; its figures follow in a table`}>
              {children(d)}
            </div>
            <VisuallyHidden>
              <table>
                <caption>{title}</caption>
                <thead>
                  <tr>
                    {t.columns.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {t.rows.map((r, i) => (
                    <tr key={i}>
                      {r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j}>{typeof c === "number" ? formatNumber(c) : c}</td>))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </VisuallyHidden>
          </>
        )}
      </>
    );
  }
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={3} size="h5" id={id} mb={4}>
        {title}
      </Title>
      {body}
    </Paper>
  );
}

