// A teammate's invitation (the link an admin shares from Team): they choose a password and are
// signed in. The token travels in the link; it is spent by the first acceptance.
import { useState } from "react";
import { Alert, Button, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { NewPassword } from "@mkt-x/core";
import { session } from "../lib/session.ts";
import { AuthCard, useAuthSubmit } from "./auth-card.tsx";

export function AcceptInvite({ token, onAccepted }: { token: string | undefined; onAccepted: () => void }) {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const { error, setError, busy, run } = useAuthSubmit("Could not accept the invitation. Try again.");

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const parsed = NewPassword.safeParse(password);
    if (!parsed.success) return setError(`The password ${parsed.error.issues[0]?.message ?? "is not valid"}.`);
    if (password !== confirm) return setError("The two passwords differ.");
    await run(() => session.acceptInvite(token ?? "", password), onAccepted);
  }

  return (
    <AuthCard width={400}>
        {token ? (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack>
              <div>
                <Title order={1} size="h2">
                  Join your team
                </Title>
                <Text c="dimmed" size="sm">
                  Choose a password (at least 12 characters) to accept the invitation.
                </Text>
              </div>
              {error ? (
                <Alert color="red" role="alert" variant="light">
                  {error}
                </Alert>
              ) : null}
              <PasswordInput label="Password" autoComplete="new-password" required withAsterisk={false} value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoFocus />
              <PasswordInput label="Confirm password" autoComplete="new-password" required withAsterisk={false} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
              <Button type="submit" loading={busy} fullWidth>
                Accept invitation
              </Button>
            </Stack>
          </form>
        ) : (
          <Stack>
            <Title order={1} size="h2">
              Join your team
            </Title>
            <Alert color="red" role="alert" variant="light">
              This invitation link is incomplete. Ask the person who invited you for a new link.
            </Alert>
          </Stack>
        )}
    </AuthCard>
  );
}
