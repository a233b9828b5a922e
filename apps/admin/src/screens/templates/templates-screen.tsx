// Templates: the list (search and type filter kept in the URL) and the way to a new one.
import { Anchor, Badge, Button, Group, NativeSelect, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { TEMPLATE_TYPES } from "@mkt-x/core";
import { EmptyState, PageHeader, QueryView, formatDateTime } from "../../lib/ui.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";
import { templatesRoute } from "./route.ts";
import { TYPE_LABELS } from "./template-form.tsx";



export function TemplatesScreen() {
  const trpc = useTRPC();
  const search = templatesRoute.useSearch();
  const navigate = useNavigate({ from: "/templates" });
  const isAdmin = useCan("admin");
  const [text, setText] = useState(search.search ?? "");
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if ((debounced || undefined) !== search.search) void navigate({ search: (s) => ({ ...s, search: debounced || undefined }), replace: true });
  }, [debounced, search.search, navigate]);
  const list = useQuery(trpc.templates.list.queryOptions({ take: 100, search: search.search, type: search.type }));
  const newButton = (
    <Button renderRoot={(props) => <Link {...props} to="/templates/$templateId" params={{ templateId: "new" }} />}>New template</Button>
  );
  return (
    <>
      <PageHeader title="Templates" description="Reusable DMs with variables, quick replies or buttons, for campaigns and flows." actions={<IfCan permission="admin">{newButton}</IfCan>} />
      <Group mb="md" align="flex-end">
        <TextInput label="Search templates" placeholder="Name" value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        <NativeSelect
          label="Type"
          data={[{ value: "", label: "All types" }, ...TEMPLATE_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))]}
          value={search.type ?? ""}
          onChange={(e) => {
            const v = e.currentTarget.value;
            const type = TEMPLATE_TYPES.find((t) => t === v);
            void navigate({ search: (s) => ({ ...s, type }), replace: true });
          }}
        />
      </Group>
      <QueryView
        query={list}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title={search.search || search.type ? "No template matches" : "No templates yet"} action={isAdmin && !search.search && !search.type ? newButton : undefined}>
            {search.search || search.type ? "Try another name or type." : "A template is a DM you write once and send in campaigns and flows, with {{first_name}} and other variables filled per contact."}
          </EmptyState>
        }
      >
        {(data) => (
          <Table.ScrollContainer minWidth={600}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Content</Table.Th>
                  <Table.Th>Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.data.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>
                      <Anchor renderRoot={(props) => <Link {...props} to="/templates/$templateId" params={{ templateId: t.id }} />}>{t.name}</Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={t.type === "text" ? "gray" : t.type === "card" ? "grape" : "blue"}>
                        {TYPE_LABELS[t.type]}
                      </Badge>
                    </Table.Td>
                    <Table.Td maw={380}>
                      <Text size="sm" truncate="end">
                        {t.content}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(t.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </>
  );
}
