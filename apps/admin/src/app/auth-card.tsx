// What the signed-out pages (sign in, accept an invitation) share: the centred card, and a submit
// that is busy while the auth endpoint answers and shows its refusal in words.
import { useState, type ReactNode } from "react";
import { Center, Paper } from "@mantine/core";
import { AuthError } from "../lib/session.ts";

export function AuthCard({ width, children }: { width: number; children: ReactNode }) {
  return (
    <Center mih="100vh" bg="gray.0" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={width} maw="92vw">
        {children}
      </Paper>
    </Center>
  );
}

/** Runs an auth call: busy meanwhile, its AuthError's message (or `fallback`) as the error after. */
export function useAuthSubmit(fallback: string) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(call: () => Promise<void>, then: () => void) {
    setBusy(true);
    setError(null);
    try {
      await call();
      then();
    } catch (err) {
      setError(err instanceof AuthError ? err.message : fallback);
    } finally {
      setBusy(false);
    }
  }
  return { error, setError, busy, run };
}
