// CSV import: the file streams to POST /contacts/import (XHR, for its upload progress) with the
// session's bearer token; the answer's counts and per-row errors are shown.
import { useState } from "react";
import { Alert, Button, FileInput, Group, Modal, Progress, Select, Stack, Table, Text } from "@mantine/core";
import { ContactsCsvImportResult } from "@mkt-x/core";
import type { z } from "zod";
import { session } from "../../lib/session.ts";

type ImportResult = z.infer<typeof ContactsCsvImportResult>;
const IMPORT_URL = "/api/v1/mkt-x/contacts/import";

type Envelope = { success?: boolean; data?: unknown; error?: string };
function parseEnvelope(text: string): Envelope | null {
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    // not JSON: reported with the status
    return null;
  }
}

function upload(file: File, accountId: string, token: string, onProgress: (fraction: number) => void): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${IMPORT_URL}?accountId=${encodeURIComponent(accountId)}`);
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", "text/csv");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new Error("Could not reach the server"));
    xhr.onload = () => {
      const json = parseEnvelope(xhr.responseText);
      if (xhr.status === 401) session.expire();
      if (xhr.status >= 200 && xhr.status < 300 && json?.success) {
        const parsed = ContactsCsvImportResult.safeParse(json.data);
        if (parsed.success) resolve(parsed.data);
        else reject(new Error("The server answered something unexpected"));
      } else reject(new Error(json?.error ?? `Import failed (${xhr.status})`));
    };
    xhr.send(file);
  });
}

export function ImportDialog({ opened, onClose, accounts, defaultAccountId, onImported }: { opened: boolean; onClose: () => void; accounts: { id: string; username: string }[]; defaultAccountId: string | undefined; onImported: () => void }) {
  const [accountId, setAccountId] = useState<string | null>(defaultAccountId ?? accounts[0]?.id ?? null);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const account = accountId ?? defaultAccountId ?? accounts[0]?.id ?? null;

  async function start() {
    if (!file || !account) return;
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const token = await session.accessToken();
      if (!token) throw new Error("Signed out");
      const r = await upload(file, account, token, setProgress);
      setProgress(1);
      setResult(r);
      onImported();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Import failed");
      setProgress(null);
    }
  }

  function close() {
    setFile(null);
    setProgress(null);
    setResult(null);
    setError(null);
    onClose();
  }

  const uploading = progress !== null && result === null;
  return (
    <Modal opened={opened} onClose={close} title="Import contacts from CSV" size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Columns: twitterUserId, username, displayName, tags (separated by | or ;), attr.&lt;key&gt;. Rows are matched on twitterUserId; importing a file twice is harmless.
        </Text>
        <Select label="Account" data={accounts.map((a) => ({ value: a.id, label: `@${a.username}` }))} value={account} onChange={setAccountId} allowDeselect={false} comboboxProps={{ withinPortal: true }} />
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={setFile} clearable clearButtonProps={{ "aria-label": "Clear file" }} />
        {progress !== null ? (
          <Stack gap={4}>
            <Progress value={Math.round(progress * 100)} aria-label="Upload progress" animated={uploading} />
            <Text size="xs" c="dimmed" aria-live="polite">
              {uploading ? (progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : "Importing…") : "Done"}
            </Text>
          </Stack>
        ) : null}
        {error ? (
          <Alert color="red" variant="light" role="alert" title="Import failed">
            {error}
          </Alert>
        ) : null}
        {result ? (
          <Stack gap="xs" role="status" aria-label="Import result">
            <Text size="sm">
              {result.rows} rows read: {result.inserted} added, {result.updated} updated, {result.failed} failed.
            </Text>
            {result.errors.length > 0 ? (
              <Table striped withTableBorder aria-label="Rows not imported">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Row</Table.Th>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>Reason</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.errors.map((e) => (
                    <Table.Tr key={`${e.row}-${e.field ?? ""}`}>
                      <Table.Td>{e.row}</Table.Td>
                      <Table.Td>{e.field ?? "—"}</Table.Td>
                      <Table.Td>{e.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : null}
            {result.errorsTruncated ? (
              <Text size="xs" c="dimmed">
                Only the first 1,000 errors are listed.
              </Text>
            ) : null}
          </Stack>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {result ? "Done" : "Cancel"}
          </Button>
          <Button onClick={() => void start()} disabled={!file || !account || uploading} loading={uploading}>
            Import
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
