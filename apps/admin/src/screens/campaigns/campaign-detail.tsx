// One campaign: create or edit it while it is a draft, see the estimate before it starts, start,
// pause, resume or cancel it, follow its progress live while it sends, read its metrics, and send
// a test to chosen contacts.
import { lazy, Suspense, useEffect, useState } from "react";
import { Alert, Anchor, Button, Group, List, Modal, MultiSelect, Paper, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { ErrorState, Loading, PageHeader, formatDateTime, formatNumber } from "../../lib/ui.tsx";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { campaignRoute } from "./route.ts";
import { CampaignForm } from "./campaign-form.tsx";
import { StatusBadge, formatUsd, rememberRecipients, rememberedRecipients, skipReason } from "./campaign-shared.tsx";

// the charts (recharts) load only when a campaign has results to show
const CampaignMetricsView = lazy(() => import("./campaign-metrics.tsx").then((m) => ({ default: m.CampaignMetricsView })));

type Campaign = RouterOutputs["campaigns"]["get"];

export function CampaignDetailScreen() {
  const { campaignId } = campaignRoute.useParams();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const campaign = useQuery(trpc.campaigns.get.queryOptions({ campaignId }, { enabled: campaignId !== "new" }));
  if (campaignId === "new")
    return (
      <>
        <PageHeader title="New campaign" description={<BackLink />} />
        <Paper withBorder p="md" maw={860}>
          <CampaignForm campaign={null} onSaved={(c) => void navigate({ to: "/campaigns/$campaignId", params: { campaignId: c.id }, replace: true })} onCancel={() => void navigate({ to: "/campaigns" })} />
        </Paper>
      </>
    );
  if (campaign.isPending) return <Loading />;
  if (campaign.error) return <ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} />;
  return <CampaignPage campaign={campaign.data} />;
}

const BackLink = () => (
  <Anchor component={Link} to="/campaigns" size="sm">
    ← All campaigns
  </Anchor>
);

function EstimateDialog({ campaign, opened, onClose }: { campaign: Campaign; opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const estimate = useMutation(trpc.campaigns.estimate.mutationOptions());
  const start = useMutation(
    trpc.campaigns.start.mutationOptions({
      onSuccess: (c) => {
        if (estimate.data) rememberRecipients(c.id, estimate.data.recipients);
        queryClient.setQueryData(trpc.campaigns.get.queryKey({ campaignId: c.id }), c);
        void queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() });
        notifications.show({ message: c.status === "scheduled" ? `Scheduled for ${formatDateTime(c.schedule.startAt)}` : "Campaign started" });
        onClose();
      },
    }),
  );
  const { mutate } = estimate;
  useEffect(() => {
    if (opened) mutate({ campaignId: campaign.id });
  }, [opened, campaign.id, mutate]);
  const later = campaign.schedule.startAt && new Date(campaign.schedule.startAt) > new Date();
  const e = estimate.data;
  const skipped = e ? Object.entries(e.skipped).filter(([, n]) => n > 0) : [];
  return (
    <Modal opened={opened} onClose={onClose} title="Before you start" size="lg">
      <Stack>
        {estimate.isPending ? <Loading label="Estimating…" /> : null}
        {estimate.error ? <ErrorState error={estimate.error} title="Could not estimate" onRetry={() => mutate({ campaignId: campaign.id })} /> : null}
        {e ? (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Paper withBorder p="sm">
                <Text size="xs" c="dimmed">
                  Recipients
                </Text>
                <Text fw={700} size="xl" data-testid="estimate-recipients">
                  {formatNumber(e.recipients)}
                </Text>
              </Paper>
              <Paper withBorder p="sm">
                <Text size="xs" c="dimmed">
                  Finishes about
                </Text>
                <Text fw={700}>{formatDateTime(e.finishesAt)}</Text>
              </Paper>
              <Paper withBorder p="sm">
                <Text size="xs" c="dimmed">
                  X charges about
                </Text>
                <Text fw={700}>{formatUsd(e.costUsd)}</Text>
              </Paper>
            </SimpleGrid>
            {skipped.length ? (
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  Left out
                </Text>
                <List size="sm">
                  {skipped.map(([reason, n]) => (
                    <List.Item key={reason}>
                      {skipReason(reason)}: {formatNumber(n)}
                    </List.Item>
                  ))}
                </List>
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                Nobody in the segments is left out.
              </Text>
            )}
            {e.recipients === 0 ? (
              <Alert color="yellow" variant="light" title="Nobody would get this DM">
                Check the segments, and that the contacts wrote to the account first when it requires consent.
              </Alert>
            ) : null}
          </>
        ) : null}
        {start.error ? (
          <Alert color="red" variant="light" title="Not started" role="alert">
            {errorMessage(start.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Not now
          </Button>
          <Button disabled={!e || e.recipients === 0} loading={start.isPending} onClick={() => start.mutate({ campaignId: campaign.id })}>
            {later ? "Schedule campaign" : "Start sending"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TestSendDialog({ campaign, opened, onClose }: { campaign: Campaign; opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const contacts = useQuery(trpc.contacts.list.queryOptions({ take: 100 }, { enabled: opened }));
  const [contactIds, setContactIds] = useState<string[]>([]);
  const test = useMutation(trpc.campaigns.test.mutationOptions());
  const r = test.data;
  return (
    <Modal
      opened={opened}
      onClose={() => {
        test.reset();
        onClose();
      }}
      title="Send a test"
    >
      <Stack>
        <Text size="sm" c="dimmed">
          The DM goes to these contacts only, marked as a test; it does not count in the metrics.
        </Text>
        <MultiSelect
          label="Send to"
          placeholder={contacts.isPending ? "Loading contacts…" : "Choose contacts"}
          data={(contacts.data?.data ?? []).map((c) => ({ value: c.id, label: c.displayName ? `${c.displayName}${c.username ? ` (@${c.username})` : ""}` : `@${c.username ?? c.id}` }))}
          value={contactIds}
          onChange={setContactIds}
          searchable
          maxValues={20}
          data-autofocus
        />
        {test.error ? (
          <Alert color="red" variant="light" title="Not sent" role="alert">
            {errorMessage(test.error)}
          </Alert>
        ) : null}
        {r ? (
          <Alert color={r.sent ? "green" : "yellow"} variant="light" title={`Test sent to ${r.sent} contact${r.sent === 1 ? "" : "s"}`} role="status">
            {r.skipped.length ? `Left out: ${r.skipped.map((s) => skipReason(s.reason)).join(", ")}. ` : ""}
            {r.messages.find((m) => m.content)?.content ?? ""}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button disabled={contactIds.length === 0} loading={test.isPending} onClick={() => test.mutate({ campaignId: campaign.id, contactIds, variables: {} })}>
            Send test
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function SendingProgress({ campaign }: { campaign: Campaign }) {
  const total = rememberedRecipients(campaign.id);
  const done = campaign.metrics.totalSent;
  const complete = campaign.status === "completed";
  const value = complete ? 100 : total ? Math.min(100, (done / total) * 100) : 0;
  const label = complete ? `Done: ${formatNumber(done)} sent` : total ? `${formatNumber(done)} of ${formatNumber(total)} sent` : `${formatNumber(done)} sent so far`;
  return (
    <Paper withBorder p="md">
      <Stack gap={6}>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Progress
          </Title>
          <Text size="sm" aria-live="polite" data-testid="campaign-progress-label">
            {label}
          </Text>
        </Group>
        <Progress size="lg" value={value} striped={campaign.status === "running"} animated={campaign.status === "running"} color={complete ? "green" : campaign.status === "paused" ? "yellow" : "blue"} aria-label="Sending progress" />
        <Text size="xs" c="dimmed">
          {formatNumber(campaign.metrics.delivered)} delivered · {formatNumber(campaign.metrics.failed)} failed · {formatNumber(campaign.metrics.skipped)} skipped
          {campaign.status === "running" && campaign.expectedFinishAt ? ` · finishes about ${formatDateTime(campaign.expectedFinishAt)}` : ""}
          {complete ? ` · completed ${formatDateTime(campaign.completedAt)}` : ""}
        </Text>
      </Stack>
    </Paper>
  );
}

function CampaignPage({ campaign }: { campaign: Campaign }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("admin");
  const [editing, setEditing] = useState(false);
  const [estimating, setEstimating] = useState(false);
  const [testing, setTesting] = useState(false);
  const template = useQuery(trpc.templates.get.queryOptions({ templateId: campaign.templateId ?? "" }, { enabled: !!campaign.templateId }));
  const segments = useQuery(trpc.segments.list.queryOptions({ take: 100 }));
  const accounts = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const metrics = useQuery(trpc.campaigns.metrics.queryOptions({ campaignId: campaign.id }, { enabled: campaign.status !== "draft" }));
  const onDone = (verb: string) => (c: Campaign) => {
    queryClient.setQueryData(trpc.campaigns.get.queryKey({ campaignId: c.id }), c);
    void queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() });
    notifications.show({ message: `Campaign ${verb}` });
  };
  const onError = (e: unknown) => notifications.show({ color: "red", title: "Not done", message: errorMessage(e) });
  const pause = useMutation(trpc.campaigns.pause.mutationOptions({ onSuccess: onDone("paused"), onError }));
  const resume = useMutation(trpc.campaigns.resume.mutationOptions({ onSuccess: onDone("resumed"), onError }));
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions({ onSuccess: onDone("cancelled"), onError }));
  const s = campaign.status;
  const confirmCancel = () =>
    modals.openConfirmModal({
      title: `Cancel “${campaign.name}”?`,
      children: <Text size="sm">It stops for good: contacts not sent to yet will not get it. This cannot be undone.</Text>,
      labels: { confirm: "Cancel campaign", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: () => cancel.mutate({ campaignId: campaign.id }),
    });
  const segmentNames = campaign.segmentIds.map((id) => segments.data?.data.find((x) => x.id === id)?.name ?? "…");
  const account = accounts.data?.data.find((a) => a.id === campaign.accountId);
  const editable = s === "draft" || s === "scheduled";

  return (
    <>
      <PageHeader
        title={campaign.name}
        description={
          <Group gap="xs" component="span">
            <BackLink />
            <StatusBadge status={s} />
          </Group>
        }
        actions={
          canEdit ? (
            <>
              {s !== "cancelled" ? (
                <Button variant="default" onClick={() => setTesting(true)}>
                  Send test
                </Button>
              ) : null}
              {editable && !editing ? (
                <Button variant="default" onClick={() => setEditing(true)}>
                  Edit
                </Button>
              ) : null}
              {s === "running" || s === "scheduled" ? (
                <Button variant="default" onClick={() => pause.mutate({ campaignId: campaign.id })} loading={pause.isPending}>
                  Pause
                </Button>
              ) : null}
              {s === "paused" ? (
                <Button onClick={() => resume.mutate({ campaignId: campaign.id })} loading={resume.isPending}>
                  Resume
                </Button>
              ) : null}
              {s === "running" || s === "paused" || s === "scheduled" ? (
                <Button color="red" variant="light" onClick={confirmCancel} loading={cancel.isPending}>
                  Cancel campaign
                </Button>
              ) : null}
              {s === "draft" ? <Button onClick={() => setEstimating(true)}>Review and start</Button> : null}
            </>
          ) : null
        }
      />
      <Stack>
        {s === "paused" && campaign.pauseReason ? (
          <Alert color="yellow" variant="light" title="Paused by the service">
            {campaign.pauseReason === "account_revoked" ? "X revoked the sending account. Reconnect it under Accounts and the campaign resumes." : campaign.pauseReason}
          </Alert>
        ) : null}
        {editing && editable ? (
          <Paper withBorder p="md">
            <CampaignForm campaign={campaign} onSaved={() => setEditing(false)} onCancel={() => setEditing(false)} />
          </Paper>
        ) : (
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
              <div>
                <Text size="xs" c="dimmed">
                  Template
                </Text>
                {campaign.templateId ? (
                  <Anchor renderRoot={(props) => <Link {...props} to="/templates/$templateId" params={{ templateId: campaign.templateId ?? "" }} />} size="sm">
                    {template.data?.name ?? "…"}
                  </Anchor>
                ) : (
                  <Text size="sm">none</Text>
                )}
              </div>
              <div>
                <Text size="xs" c="dimmed">
                  Segments
                </Text>
                <Text size="sm">{segmentNames.length ? segmentNames.join(", ") : "none"}</Text>
              </div>
              <div>
                <Text size="xs" c="dimmed">
                  Sent from
                </Text>
                <Text size="sm">{campaign.accountId ? (account ? `@${account.username}` : "…") : "each contact's own account"}</Text>
              </div>
              <div>
                <Text size="xs" c="dimmed">
                  Schedule
                </Text>
                <Text size="sm">
                  {campaign.schedule.startAt ? `from ${formatDateTime(campaign.schedule.startAt)}` : "when started"}
                  {campaign.schedule.endAt ? `, until ${formatDateTime(campaign.schedule.endAt)}` : ""}
                  {campaign.schedule.recurrence ? `, repeats ${campaign.schedule.recurrence}` : ""}
                  {campaign.run > 1 ? ` (run ${campaign.run})` : ""}
                </Text>
              </div>
            </SimpleGrid>
          </Paper>
        )}
        {s === "running" || s === "paused" || s === "completed" || (s === "cancelled" && campaign.startedAt) ? <SendingProgress campaign={campaign} /> : null}
        {s === "draft" && canEdit ? (
          <Text size="sm" c="dimmed">
            “Review and start” shows how many contacts get it, who is left out and why, when it finishes and what X charges, before anything is sent.
          </Text>
        ) : null}
        {s !== "draft" ? (
          <>
            <Title order={2} size="h4">
              Metrics
            </Title>
            {metrics.isPending ? <Loading /> : metrics.error ? <ErrorState error={metrics.error} onRetry={() => void metrics.refetch()} /> : (
              <Suspense fallback={<Loading />}>
                <CampaignMetricsView metrics={metrics.data} />
              </Suspense>
            )}
          </>
        ) : null}
      </Stack>
      {canEdit ? (
        <>
          <EstimateDialog campaign={campaign} opened={estimating} onClose={() => setEstimating(false)} />
          <TestSendDialog campaign={campaign} opened={testing} onClose={() => setTesting(false)} />
        </>
      ) : null}
    </>
  );
}
