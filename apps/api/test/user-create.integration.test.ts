// `pnpm -s run user:create`: the first owner of a deployment without signup, run as a person would,
// against the test database, then signed in through the API.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { authUrl, PASSWORD, signIn, uniqueEmail, type Success } from "./factories.ts";
import { expectSuccess } from "./envelope-assertions.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const run = promisify(execFile);
/** each run starts pnpm, tsx and the core package: seconds, more on a busy machine */
const SCRIPT_TEST_TIMEOUT = 180_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function userCreate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("pnpm", ["-s", "run", "user:create", ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: h.database.url }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

describe("pnpm -s run user:create", () => {
  it("creates a merchant and its owner, who can then sign in", async () => {
    const email = uniqueEmail("First.Owner");
    const result = await userCreate(["--email", email, "--password", PASSWORD, "--merchant-name", "Corner shop"]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as { merchantId: string; userId: string; email: string; role: string };
    expect(printed).toMatchObject({ email: email.toLowerCase(), role: "owner" });

    const pair = await signIn(h, email);
    expect(decodeJwt(pair.accessToken)).toMatchObject({ sub: printed.userId, merchantId: printed.merchantId, role: "owner" });
    const me = expectSuccess(await h.call<Success<{ email: string; role: string }>>("GET", authUrl(h, "/me"), { token: pair.accessToken }));
    expect(me).toMatchObject({ email: email.toLowerCase(), role: "owner" });
    const { rows } = await h.database.pool.query<{ name: string }>("SELECT name FROM merchants WHERE id = $1", [printed.merchantId]);
    expect(rows).toEqual([{ name: "Corner shop" }]);

    // the same email again fails with one line, and creates nothing
    const again = await userCreate(["--email", email.toUpperCase(), "--password", PASSWORD]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/user:create: A user with this email already exists/);
    const { rows: merchants } = await h.database.pool.query("SELECT 1 FROM merchants");
    expect(merchants).toHaveLength(1);
  }, SCRIPT_TEST_TIMEOUT);

  it("refuses a short password or a missing email, naming the flag", async () => {
    const short = await userCreate(["--email", uniqueEmail(), "--password", "short"]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/user:create: --password must be at least 12 bytes/);
    const missing = await userCreate(["--password", PASSWORD]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/user:create: --email /);
  }, SCRIPT_TEST_TIMEOUT);
});
