// A listening sandbox, a client pointed at it and one connected account per test file.
import type { XCredentials } from "@mkt-x/core";
import { createTwitterXClient, type TwitterXClient } from "../../src/x-client.ts";
import { createXSandbox, type SandboxUser, type XSandbox } from "../../src/sandbox/index.ts";

export const CONSUMER_KEY = "sandbox-consumer-key";
export const CONSUMER_SECRET = "sandbox-consumer-secret";

export interface Fixture {
  sandbox: XSandbox;
  baseUrl: string;
  client: TwitterXClient;
  account: SandboxUser;
  creds: XCredentials;
  close(): Promise<void>;
}

export const credsOf = (user: SandboxUser): XCredentials => ({ accessToken: user.accessToken, accessSecret: user.accessSecret });

export async function startFixture(clientTimeoutMs = 5000): Promise<Fixture> {
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const baseUrl = await sandbox.listen();
  const client = createTwitterXClient({ baseUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: clientTimeoutMs });
  const account = sandbox.addUser({ id: "1500000000000000001", username: "acme_store", name: "Acme Store", profileImageUrl: "https://pbs.twimg.com/profile_images/1/acme_normal.jpg" });
  return {
    sandbox,
    baseUrl,
    client,
    account,
    creds: credsOf(account),
    async close() {
      client.close();
      await sandbox.close();
    },
  };
}
