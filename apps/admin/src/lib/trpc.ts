// The typed client of the API's tRPC router: queries and mutations batched over HTTP, live events
// as an SSE subscription. Every call carries the session's access token, refreshed when due.
import { QueryCache, QueryClient, MutationCache } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { EventSource } from "eventsource";
import type { AppRouter, RouterInputs, RouterOutputs } from "@mkt-x/api/router";
import { session } from "./session.ts";

export type { RouterInputs, RouterOutputs };

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The API refused the caller's session: sign in again. */
const isUnauthorized = (e: unknown) => e instanceof TRPCClientError && (e.data as { httpStatus?: number } | undefined)?.httpStatus === 401;

/** Retries only what may pass on a second try: never a 4xx. */
const retry = (count: number, e: unknown) => {
  const status = e instanceof TRPCClientError ? (e.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
  return count < 2 && (status === undefined || status >= 500);
};

export function createQueryClient(): QueryClient {
  const onError = (e: unknown) => {
    if (isUnauthorized(e)) session.expire();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: { queries: { retry, staleTime: 15_000, refetchOnWindowFocus: true } },
  });
}

export function createClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: "/trpc",
          // the browser's EventSource cannot send a bearer header: this one fetches with it
          EventSource,
          eventSourceOptions: async () => {
            const token = await session.accessToken();
            return { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token ?? ""}` } }) };
          },
        }),
        false: httpBatchLink({
          url: "/trpc",
          maxItems: 20,
          headers: async () => {
            const token = await session.accessToken();
            return token ? { authorization: `Bearer ${token}` } : {};
          },
        }),
      }),
    ],
  });
}

/** The message of an error the API answered, for the screen's error state. */
export function errorMessage(e: unknown): string {
  if (e instanceof TRPCClientError) return e.message;
  if (e instanceof Error) return e.message;
  return "Something went wrong";
}
