// A campaign's results as charts, each with the same figures as a table for screen readers and
// for people who prefer numbers: the funnel delivered → opened → clicked → replied, and the timeline.
import "@mantine/charts/styles.css";
import { useState } from "react";
import { BarChart, LineChart } from "@mantine/charts";
import { Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { formatNumber } from "../../lib/ui.tsx";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { skipReason } from "./campaign-shared.tsx";

type Metrics = RouterOutputs["campaigns"]["metrics"];

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

function ChartOrTable({ title, chart, table, summary }: { title: string; chart: React.ReactNode; table: React.ReactNode; summary: string }) {
  const [view, setView] = useState<"chart" | "table">("chart");
  const id = `${title.toLowerCase().replaceAll(/\W+/g, "-")}-title`;
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h5" id={id}>
            {title}
          </Title>
          <SegmentedControl
            size="xs"
            aria-label={`${title}: show as`}
            value={view}
            onChange={(v) => setView(v === "table" ? "table" : "chart")}
            data={[
              { value: "chart", label: "Chart" },
              { value: "table", label: "Table" },
            ]}
          />
        </Group>
        {view === "chart" ? (
          <div role="img" aria-label={summary}>
            {chart}
          </div>
        ) : (
          table
        )}
      </Stack>
    </Paper>
  );
}

export function CampaignMetricsView({ metrics }: { metrics: Metrics }) {
  const funnel = [
    { stage: "Delivered", count: metrics.delivered, rate: metrics.deliveryRate, of: "of sent" },
    { stage: "Opened", count: metrics.opened, rate: metrics.openRate, of: "of delivered" },
    { stage: "Clicked", count: metrics.clicked, rate: metrics.clickRate, of: "of delivered" },
    { stage: "Replied", count: metrics.replied, rate: metrics.replyRate, of: "of delivered" },
  ];
  const fmtTime = (iso: string) => new Date(iso).toLocaleString(undefined, metrics.granularity === "hour" ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric" });
  const timeline = metrics.timeline.map((p) => ({ ...p, time: fmtTime(p.timestamp) }));
  const skipped = Object.entries(metrics.skippedByReason);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {[
          { label: "Sent", value: formatNumber(metrics.totalSent) },
          { label: "Delivered", value: `${formatNumber(metrics.delivered)} (${pct(metrics.deliveryRate)})` },
          { label: "Failed", value: formatNumber(metrics.failed) },
          { label: "Skipped", value: formatNumber(metrics.skipped) },
        ].map((s) => (
          <Paper withBorder p="sm" key={s.label}>
            <Text size="xs" c="dimmed">
              {s.label}
            </Text>
            <Text fw={700} size="lg" data-testid={`metric-${s.label.toLowerCase()}`}>
              {s.value}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChartOrTable
          title="Funnel"
          summary={funnel.map((f) => `${f.stage} ${f.count}`).join(", ")}
          chart={<BarChart h={220} data={funnel} dataKey="stage" series={[{ name: "count", label: "Contacts", color: "blue.7" }]} withTooltip tickLine="y" />}
          table={
            <Table aria-labelledby="funnel-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Stage</Table.Th>
                  <Table.Th ta="right">Contacts</Table.Th>
                  <Table.Th ta="right">Rate</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {funnel.map((f) => (
                  <Table.Tr key={f.stage}>
                    <Table.Td>{f.stage}</Table.Td>
                    <Table.Td ta="right">{formatNumber(f.count)}</Table.Td>
                    <Table.Td ta="right">
                      {pct(f.rate)} {f.of}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          }
        />
        <ChartOrTable
          title="Timeline"
          summary={timeline.length ? `${timeline.length} ${metrics.granularity} buckets from ${timeline[0]?.time ?? ""}` : "Nothing sent yet"}
          chart={
            timeline.length ? (
              <LineChart
                h={220}
                data={timeline}
                dataKey="time"
                series={[
                  { name: "sent", label: "Sent", color: "gray.7" },
                  { name: "delivered", label: "Delivered", color: "blue.7" },
                  { name: "opened", label: "Opened", color: "teal.8" },
                  { name: "failed", label: "Failed", color: "red.8" },
                ]}
                withLegend
                curveType="monotone"
              />
            ) : (
              <Text size="sm" c="dimmed">
                Nothing sent yet.
              </Text>
            )
          }
          table={
            <Table aria-labelledby="timeline-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{metrics.granularity === "hour" ? "Hour" : "Day"}</Table.Th>
                  <Table.Th ta="right">Sent</Table.Th>
                  <Table.Th ta="right">Delivered</Table.Th>
                  <Table.Th ta="right">Opened</Table.Th>
                  <Table.Th ta="right">Failed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {timeline.map((p) => (
                  <Table.Tr key={p.timestamp}>
                    <Table.Td>{p.time}</Table.Td>
                    <Table.Td ta="right">{p.sent}</Table.Td>
                    <Table.Td ta="right">{p.delivered}</Table.Td>
                    <Table.Td ta="right">{p.opened}</Table.Td>
                    <Table.Td ta="right">{p.failed}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          }
        />
      </SimpleGrid>
      {skipped.length ? (
        <Text size="sm" c="dimmed">
          Left out: {skipped.map(([r, n]) => `${skipReason(r)} ${formatNumber(n)}`).join(" · ")}
        </Text>
      ) : null}
    </Stack>
  );
}
