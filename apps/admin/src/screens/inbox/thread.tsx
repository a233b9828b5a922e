// One conversation: its messages (newest page live, older pages on demand with messagesCursor),
// who is working it, close / reopen, and the reply box.
import { useEffect, useRef, useState } from "react";
import { Alert, Anchor, Badge, Box, Button, Group, NativeSelect, Paper, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC, errorMessage, type RouterOutputs } from "../../lib/trpc.ts";
import { IfCan, useCan, useMe } from "../../lib/me.tsx";
import { ErrorState, formatDateTime, Loading } from "../../lib/ui.tsx";
import { Composer } from "./composer.tsx";
import { TypingNotice } from "./typing-notice.tsx";

type Details = RouterOutputs["conversations"]["get"];
type Message = NonNullable<Details["messages"]>[number];

/** Who wrote a message, as the thread labels it. */
export function originLabel(m: Pick<Message, "direction" | "origin" | "isFromBot">): string {
  if (m.direction === "inbound") return "Customer";
  if (m.origin === "ai" || (m.isFromBot && m.origin !== "flow" && m.origin !== "campaign")) return "Bot";
  switch (m.origin) {
    case "inbox":
      return "Agent";
    case "campaign":
      return "Campaign";
    case "flow":
      return "Flow";
    case "x_app":
      return "Sent from X";
    case "system":
      return "System";
    case "test":
      return "Test send";
    default:
      return m.origin;
  }
}

function StatusBadge({ m }: { m: Message }) {
  if (m.direction === "inbound") return null;
  if (m.status === "failed")
    return (
      <Text size="xs" c="red" fw={500}>
        Failed{m.error ? `: ${m.error}` : ""}
      </Text>
    );
  const label = m.readAt ? "Read" : m.status === "sent" ? "Sent" : m.status === "sending" ? "Sending" : "Queued";
  return (
    <Text size="xs" c="dimmed">
      {label}
    </Text>
  );
}

/** A public thread's post on X: its author and its link (X's post URL: https://x.com/{username}/status/{id}). */
interface PostContext {
  customer: string | null;
  account: string | null;
}

function MessageBubble({ m, post }: { m: Message; post?: PostContext | undefined }) {
  const inbound = m.direction === "inbound";
  const author = post ? (inbound ? post.customer : post.account) : null;
  const postUrl = post && author && m.twitterMessageId ? `https://x.com/${author}/status/${m.twitterMessageId}` : null;
  return (
    <Box style={{ alignSelf: inbound ? "flex-start" : "flex-end", maxWidth: "80%" }} data-testid="message">
      <Paper p="xs" radius="md" bg={inbound ? "gray.1" : m.status === "failed" ? "red.0" : "blue.0"} withBorder={false}>
        <Group gap={6} mb={2}>
          <Text size="xs" fw={600}>
            {post && inbound && post.customer ? `@${post.customer}` : originLabel(m)}
          </Text>
          <Text size="xs" c="dimmed">
            {formatDateTime(m.sentAt ?? m.createdAt)}
          </Text>
        </Group>
        <Text size="sm" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
          {m.content}
        </Text>
        {m.quickReplies && m.quickReplies.length > 0 ? (
          <Group gap={4} mt={4}>
            {m.quickReplies.map((q) => (
              <Badge key={q.label} variant="outline" size="sm">
                {q.label}
              </Badge>
            ))}
          </Group>
        ) : null}
        {m.buttons && m.buttons.length > 0 ? (
          <Stack gap={2} mt={4}>
            {m.buttons.map((b) => (
              <Anchor key={b.label} href={b.url} target="_blank" rel="noreferrer" size="sm">
                {b.label}
              </Anchor>
            ))}
          </Stack>
        ) : null}
        {m.quickReplyResponse ? (
          <Text size="xs" c="dimmed" mt={4}>
            Chose option {m.quickReplyResponse.index}: {m.quickReplyResponse.label}
          </Text>
        ) : null}
        {m.attachments.map((a) => (
          <Anchor key={a.url} href={a.url} target="_blank" rel="noreferrer" size="xs" display="block">
            {a.type} attachment
          </Anchor>
        ))}
        <Group justify={postUrl ? "space-between" : "flex-end"} mt={2} gap="xs">
          {postUrl ? (
            <Anchor href={postUrl} target="_blank" rel="noreferrer" size="xs">
              View post on X
            </Anchor>
          ) : null}
          <StatusBadge m={m} />
        </Group>
      </Paper>
    </Box>
  );
}

/** A page of older messages, and (above it) the pages before it the user asked for. */
function OlderPage({ conversationId, cursor, depth, onMore, post }: { conversationId: string; cursor: string; depth: number; onMore: () => void; post?: PostContext | undefined }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.conversations.get.queryOptions({ conversationId, messagesBefore: cursor }), placeholderData: (prev) => prev });
  if (q.isPending) return <Loading label="Loading older messages…" />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const next = q.data.messagesCursor;
  return (
    <>
      {next && depth > 1 ? <OlderPage conversationId={conversationId} cursor={next} depth={depth - 1} onMore={onMore} post={post} /> : null}
      {next && depth <= 1 ? <LoadOlder onClick={onMore} /> : null}
      {(q.data.messages ?? []).map((m) => (
        <MessageBubble key={m.id} m={m} post={post} />
      ))}
    </>
  );
}

function LoadOlder({ onClick }: { onClick: () => void }) {
  return (
    <Button variant="subtle" size="compact-sm" onClick={onClick} style={{ alignSelf: "center" }}>
      Load older messages
    </Button>
  );
}

export function Thread({ conversationId, accounts, onBack }: { conversationId: string; accounts: Map<string, { username: string; status: string }>; onBack?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const isAdmin = useCan("admin");
  const [olderPages, setOlderPages] = useState(0);
  const query = useQuery(trpc.conversations.get.queryOptions({ conversationId }));
  const team = useQuery({ ...trpc.team.listUsers.queryOptions({ take: 100 }), enabled: isAdmin });
  const refresh = () => queryClient.invalidateQueries(trpc.conversations.pathFilter());
  const send = useMutation(trpc.conversations.sendMessage.mutationOptions({ onSuccess: refresh }));
  const close = useMutation(trpc.conversations.close.mutationOptions({ onSuccess: refresh }));
  const reopen = useMutation(trpc.conversations.reopen.mutationOptions({ onSuccess: refresh }));
  const assign = useMutation(trpc.conversations.assign.mutationOptions({ onSuccess: refresh }));
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = query.data?.messages?.at(-1)?.id;

  useEffect(() => setOlderPages(0), [conversationId]);
  // the newest message comes into view when it arrives (and when the conversation opens)
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastId]);

  if (query.isPending) return <Loading label="Loading the conversation…" />;
  if (query.error) return <ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load this conversation" />;
  const c = query.data;
  const name = c.contact.displayName ?? (c.contact.username ? `@${c.contact.username}` : "Unknown contact");
  const account = accounts.get(c.accountId);
  const assignee = c.assignedToUserId === null ? "Unassigned" : c.assignedToUserId === me.id ? "Assigned to you" : `Assigned to ${team.data?.data.find((u) => u.id === c.assignedToUserId)?.name ?? "a team member"}`;
  const actionError = [close.error, reopen.error, assign.error].find((e) => e);
  const post: PostContext | undefined = c.channel === "mention" ? { customer: c.contact.username, account: account?.username ?? null } : undefined;

  return (
    <Stack gap="sm" h="100%" component="section" aria-label={`Conversation with ${name}`}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          {onBack ? (
            <Button variant="subtle" size="compact-sm" onClick={onBack}>
              ← Conversations
            </Button>
          ) : null}
          <Title order={2} size="h4">
            {name}
          </Title>
          <Badge color={c.status === "open" ? "teal" : "gray"} variant="light">
            {c.status === "open" ? "Open" : "Closed"}
          </Badge>
          {c.channel === "mention" ? (
            <Tooltip label="A public thread on X: replies are posted in public">
              <Badge color="cyan" variant="light">
                Mention
              </Badge>
            </Tooltip>
          ) : null}
          {c.channel === "mention" && c.postUrl ? (
            <Anchor href={c.postUrl} target="_blank" rel="noreferrer" size="sm">
              Open the thread on X
            </Anchor>
          ) : null}
          {c.escalated ? (
            <Tooltip label={c.escalationReason ?? "The AI handed this conversation to a person"}>
              <Badge color="orange" variant="light">
                AI escalated
              </Badge>
            </Tooltip>
          ) : null}
        </Group>
        <Group gap="xs" wrap="wrap">
          <Text size="sm" c="dimmed">
            {assignee}
          </Text>
          <IfCan permission="inbox">
            <NativeSelect
              size="xs"
              aria-label="Assignee"
              value={c.assignedToUserId ?? ""}
              disabled={assign.isPending}
              onChange={(e) => assign.mutate({ conversationId, userId: e.currentTarget.value || null })}
              data={[
                { value: "", label: "Unassigned" },
                { value: me.id, label: `Me (${me.name})` },
                ...(team.data?.data ?? []).filter((u) => u.id !== me.id && u.status === "active" && u.role !== "viewer").map((u) => ({ value: u.id, label: u.name })),
                ...(c.assignedToUserId && c.assignedToUserId !== me.id && !team.data?.data.some((u) => u.id === c.assignedToUserId) ? [{ value: c.assignedToUserId, label: "A team member" }] : []),
              ]}
            />
            {c.status === "open" ? (
              <Button variant="default" size="compact-sm" loading={close.isPending} onClick={() => close.mutate({ conversationId })}>
                Close
              </Button>
            ) : (
              <Button variant="default" size="compact-sm" loading={reopen.isPending} onClick={() => reopen.mutate({ conversationId })}>
                Reopen
              </Button>
            )}
          </IfCan>
        </Group>
      </Group>
      <Text size="xs" c="dimmed">
        {account ? `Via @${account.username}` : null}
        {c.closedAt ? ` · Closed ${formatDateTime(c.closedAt)}${c.closeReason ? ` (${c.closeReason})` : ""}` : ""}
      </Text>
      {actionError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(actionError)}
        </Alert>
      ) : null}
      <Box ref={scroller} style={{ flex: 1, overflowY: "auto", minHeight: 200 }} tabIndex={0} role="log" aria-label="Messages" aria-live="polite">
        <Stack gap="xs" p="xs">
          {c.messagesCursor && olderPages > 0 ? <OlderPage conversationId={conversationId} cursor={c.messagesCursor} depth={olderPages} onMore={() => setOlderPages((n) => n + 1)} post={post} /> : null}
          {c.messagesCursor && olderPages === 0 ? <LoadOlder onClick={() => setOlderPages(1)} /> : null}
          {(c.messages ?? []).length === 0 ? (
            <Text size="sm" c="dimmed" ta="center">
              No messages yet
            </Text>
          ) : null}
          {(c.messages ?? []).map((m) => (
            <MessageBubble key={m.id} m={m} post={post} />
          ))}
        </Stack>
      </Box>
      <TypingNotice conversationId={conversationId} name={name} />
      <IfCan permission="inbox">
        <Composer
          publicReply={c.channel === "mention"}
          blockedReason={account && account.status !== "active" ? `@${account.username} is ${account.status}: reconnect it in Accounts to reply` : null}
          onSend={(body) => send.mutateAsync({ conversationId, ...body }).catch((e: unknown) => Promise.reject(new Error(errorMessage(e))))}
        />
      </IfCan>
    </Stack>
  );
}
