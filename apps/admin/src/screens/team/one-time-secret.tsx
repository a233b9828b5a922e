// A secret the API shows once (an API key, an invite token, a webhook's signing secret): shown
// with a copy button and a warning that it will not be shown again.
import type { ReactNode } from "react";
import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";

export function OneTimeSecret({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" variant="light" title="Copy it now" role="status">
        This {label.toLowerCase()} is shown only once. Store it somewhere safe: it cannot be shown again.
      </Alert>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code block data-testid="one-time-secret" style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
            {value}
          </Code>
          <CopyButton value={value} timeout={2000}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? "Copied" : "Copy"}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
      {children}
    </Stack>
  );
}
