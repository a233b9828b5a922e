// Create or edit a campaign (draft or scheduled): what it sends, to whom, from which account, when
// and how often. Checked by the contract's CreateCampaignInput.
import { useMemo, useState } from "react";
import { Alert, Button, Group, MultiSelect, NativeSelect, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CAMPAIGN_TYPES, CreateCampaignInput, RECURRENCE_PRESETS } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";

type Campaign = RouterOutputs["campaigns"]["get"];

const TYPE_LABELS: Record<(typeof CAMPAIGN_TYPES)[number], string> = { promotional: "Promotional", transactional: "Transactional", engagement: "Engagement" };

interface Draft {
  name: string;
  type: (typeof CAMPAIGN_TYPES)[number];
  templateId: string | null;
  segmentIds: string[];
  accountId: string;
  startAt: string;
  endAt: string;
  recurrence: string;
  cron: string;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** an ISO instant as a datetime-local input's value, in the browser's time zone */
const toLocalInput = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : null);

function toDraft(c: Campaign | null): Draft {
  const rec = c?.schedule.recurrence ?? "";
  const preset = rec === "" || (RECURRENCE_PRESETS as readonly string[]).includes(rec);
  return {
    name: c?.name ?? "",
    type: c?.type ?? "promotional",
    templateId: c?.templateId ?? null,
    segmentIds: c?.segmentIds ?? [],
    accountId: c?.accountId ?? "",
    startAt: toLocalInput(c?.schedule.startAt ?? null),
    endAt: toLocalInput(c?.schedule.endAt ?? null),
    recurrence: preset ? rec : "cron",
    cron: preset ? "" : rec,
  };
}

function toInput(d: Draft) {
  const recurrence = d.recurrence === "cron" ? d.cron : d.recurrence || null;
  const startAt = fromLocalInput(d.startAt);
  const endAt = fromLocalInput(d.endAt);
  return {
    name: d.name,
    type: d.type,
    templateId: d.templateId ?? "",
    segmentIds: d.segmentIds,
    accountId: d.accountId || null,
    schedule: startAt || endAt || recurrence ? { startAt, endAt, recurrence } : null,
  };
}

export function CampaignForm({ campaign, onSaved, onCancel }: { campaign: Campaign | null; onSaved: (c: Campaign) => void; onCancel?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => toDraft(campaign));
  const [showIssues, setShowIssues] = useState(false);
  const templates = useQuery(trpc.templates.list.queryOptions({ take: 100 }));
  const segments = useQuery(trpc.segments.list.queryOptions({ take: 100 }));
  const accounts = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const issues = useMemo(() => {
    const parsed = CreateCampaignInput.safeParse(toInput(draft));
    const out: Record<string, string> = {};
    if (!parsed.success) for (const i of parsed.error.issues) out[i.path.join(".")] ??= i.path[0] === "templateId" ? "choose a template" : i.message;
    if (draft.segmentIds.length === 0) out["segmentIds"] ??= "choose at least one segment";
    return out;
  }, [draft]);
  const done = (c: Campaign) => {
    void queryClient.invalidateQueries({ queryKey: trpc.campaigns.list.queryKey() });
    queryClient.setQueryData(trpc.campaigns.get.queryKey({ campaignId: c.id }), c);
    onSaved(c);
  };
  const create = useMutation(trpc.campaigns.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.campaigns.update.mutationOptions({ onSuccess: done }));
  const save = () => {
    setShowIssues(true);
    if (Object.keys(issues).length) return;
    const input = CreateCampaignInput.parse(toInput(draft));
    if (campaign) update.mutate({ campaignId: campaign.id, ...input });
    else create.mutate(input);
  };
  const err = (k: string) => (showIssues ? issues[k] : undefined);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const error = create.error ?? update.error;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Stack>
        {error ? (
          <Alert color="red" variant="light" title="Not saved" role="alert">
            {errorMessage(error)}
          </Alert>
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Name" value={draft.name} onChange={(e) => set({ name: e.currentTarget.value })} error={err("name")} required data-autofocus />
          <NativeSelect label="Type" data={CAMPAIGN_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))} value={draft.type} onChange={(e) => set({ type: CAMPAIGN_TYPES.find((t) => t === e.currentTarget.value) ?? "promotional" })} />
        </SimpleGrid>
        <Select
          label="Template"
          placeholder={templates.isPending ? "Loading…" : "Choose a template"}
          data={(templates.data?.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={draft.templateId}
          onChange={(v) => set({ templateId: v })}
          searchable
          nothingFoundMessage="No template: create one under Templates"
          error={err("templateId")}
          required
        />
        <MultiSelect
          label="Segments"
          description="Contacts in any of them get the DM once; opted-out contacts never do."
          placeholder={segments.isPending ? "Loading…" : draft.segmentIds.length ? undefined : "Choose segments"}
          data={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.contactCount.toLocaleString()})` }))}
          value={draft.segmentIds}
          onChange={(v) => set({ segmentIds: v })}
          searchable
          nothingFoundMessage="No segment: create one under Segments"
          error={err("segmentIds")}
          required
        />
        <NativeSelect
          label="Send from"
          data={[{ value: "", label: "Each contact's own account" }, ...(accounts.data?.data ?? []).map((a) => ({ value: a.id, label: `@${a.username}${a.status === "active" ? "" : ` (${a.status})`}` }))]}
          value={draft.accountId}
          onChange={(e) => set({ accountId: e.currentTarget.value })}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput type="datetime-local" label="Start at" description="Empty: when you start it" value={draft.startAt} onChange={(e) => set({ startAt: e.currentTarget.value })} error={err("schedule.startAt")} />
          <TextInput type="datetime-local" label="Stop sending after" description="Optional" value={draft.endAt} onChange={(e) => set({ endAt: e.currentTarget.value })} error={err("schedule.endAt") ?? err("schedule")} />
          <NativeSelect
            label="Repeat"
            description="Times in UTC"
            data={[
              { value: "", label: "Once" },
              { value: "daily", label: "Daily" },
              { value: "weekly", label: "Weekly" },
              { value: "monthly", label: "Monthly" },
              { value: "cron", label: "Custom (cron)" },
            ]}
            value={draft.recurrence}
            onChange={(e) => set({ recurrence: e.currentTarget.value })}
          />
        </SimpleGrid>
        {draft.recurrence === "cron" ? <TextInput label="Cron expression" placeholder="0 9 * * 1" value={draft.cron} onChange={(e) => set({ cron: e.currentTarget.value })} error={err("schedule.recurrence")} /> : null}
        <Text size="xs" c="dimmed">
          Saving keeps it as a draft: you see the estimate (recipients, cost, when it finishes) before it starts.
        </Text>
        <Group justify="flex-end">
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
          <Button type="submit" loading={create.isPending || update.isPending}>
            {campaign ? "Save campaign" : "Create campaign"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
