// Campaigns: the list with status badges and sending progress, filtered by status in the URL.
import { Anchor, Button, Group, NativeSelect, Progress, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { CAMPAIGN_STATUSES } from "@mkt-x/core";
import { EmptyState, PageHeader, QueryView, formatDateTime, formatNumber } from "../../lib/ui.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";
import { campaignsRoute } from "./route.ts";
import { STATUS_LABELS, StatusBadge, rememberedRecipients } from "./campaign-shared.tsx";

export function CampaignsScreen() {
  const trpc = useTRPC();
  const search = campaignsRoute.useSearch();
  const navigate = useNavigate({ from: "/campaigns" });
  const isAdmin = useCan("admin");
  const list = useQuery(trpc.campaigns.list.queryOptions({ take: 100, status: search.status }));
  const newButton = <Button renderRoot={(props) => <Link {...props} to="/campaigns/$campaignId" params={{ campaignId: "new" }} />}>New campaign</Button>;
  return (
    <>
      <PageHeader title="Campaigns" description="DMs to the contacts of your segments, now or on a schedule, within X's send limits." actions={<IfCan permission="admin">{newButton}</IfCan>} />
      <Group mb="md">
        <NativeSelect
          label="Status"
          data={[{ value: "", label: "Every status" }, ...CAMPAIGN_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]}
          value={search.status ?? ""}
          onChange={(e) => {
            const v = e.currentTarget.value;
            void navigate({ search: { status: CAMPAIGN_STATUSES.find((s) => s === v) }, replace: true });
          }}
        />
      </Group>
      <QueryView
        query={list}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title={search.status ? "No campaign with this status" : "No campaigns yet"} action={isAdmin && !search.status ? newButton : undefined}>
            {search.status ? "Pick another status." : "A campaign sends a template to the contacts of one or more segments."}
          </EmptyState>
        }
      >
        {(data) => (
          <Table.ScrollContainer minWidth={680}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Progress</Table.Th>
                  <Table.Th ta="right">Delivered</Table.Th>
                  <Table.Th ta="right">Replied</Table.Th>
                  <Table.Th>Starts / started</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.data.map((c) => {
                  const total = rememberedRecipients(c.id);
                  const done = c.metrics.totalSent;
                  const pct = c.status === "completed" ? 100 : total ? Math.min(100, (done / total) * 100) : 0;
                  return (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <Anchor renderRoot={(props) => <Link {...props} to="/campaigns/$campaignId" params={{ campaignId: c.id }} />}>{c.name}</Anchor>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={c.status} />
                      </Table.Td>
                      <Table.Td miw={140}>
                        {c.status === "running" || c.status === "paused" || c.status === "completed" ? (
                          <Group gap={6} wrap="nowrap">
                            <Progress value={pct} w={90} aria-label={`${c.name} progress`} animated={c.status === "running" && !total} striped={c.status === "running"} />
                            <Text size="xs">{formatNumber(done)} sent</Text>
                          </Group>
                        ) : (
                          <Text size="xs" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">{formatNumber(c.metrics.delivered)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(c.metrics.replied)}</Table.Td>
                      <Table.Td>{formatDateTime(c.startedAt ?? c.schedule.startAt)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </>
  );
}
