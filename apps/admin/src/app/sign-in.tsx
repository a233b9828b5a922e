// Sign in with email and password (CONTRACT.md "Admin app"); back to the page the visitor wanted.
import { useState } from "react";
import { Alert, Button, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { LoginInput } from "@mkt-x/core";
import { session } from "../lib/session.ts";
import { AuthCard, useAuthSubmit } from "./auth-card.tsx";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { error, setError, busy, run } = useAuthSubmit("Sign-in failed. Try again.");

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const parsed = LoginInput.safeParse({ email, password });
    if (!parsed.success) {
      setError(email.trim() === "" || password === "" ? "Enter your email and password." : "Enter a valid email address.");
      return;
    }
    await run(() => session.signIn(parsed.data.email, parsed.data.password), onSignedIn);
  }

  return (
    <AuthCard width={380}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                to mkt-x, marketing and service over X direct messages
              </Text>
            </div>
            {error ? (
              <Alert color="red" role="alert" variant="light">
                {error}
              </Alert>
            ) : null}
            <TextInput label="Email" type="email" autoComplete="username" required withAsterisk={false} value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoFocus />
            <PasswordInput label="Password" autoComplete="current-password" required withAsterisk={false} value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
    </AuthCard>
  );
}
