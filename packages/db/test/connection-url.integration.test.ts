// DATABASE_URL is used whole by every pool (CONTRACT.md): against a PostgreSQL that accepts only
// TLS on TCP, with a certificate made here, the Prisma pool connects over TLS when the URL asks
// for it, and a Unix-socket URL reaches the server through its socket.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, freePort, type EmbeddedPg } from "../src/embedded.ts";
import { createDb, type Db } from "../src/client.ts";
import { migrateDatabase } from "../src/migrate.ts";
import { withDatabase } from "../src/pg-config.ts";

let root: string;
let server: EmbeddedPg;
let port: number;
let dataDir: string;
let caFile: string;
const PASSWORD = "mktx";
const dbs: Db[] = [];

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it. */
function makeCertificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=mkt-x test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mktx-pgurl-"));
  chmodSync(root, 0o755);
  makeCertificates(root);
  caFile = join(root, "ca.crt");
  dataDir = join(root, "pg");
  port = await freePort();
  server = await startEmbeddedPostgres({
    dir: dataDir,
    port,
    persistent: false,
    // TCP only with TLS; the socket (in the data folder) without
    postgresFlags: ["-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key", "-c", `unix_socket_directories=${dataDir}`, "-c", "listen_addresses=127.0.0.1"],
    configure: (dir, owner) => {
      for (const f of ["server.crt", "server.key"]) {
        copyFileSync(join(root, f), join(dir, f));
        if (process.getuid?.() === 0) chownSync(join(dir, f), owner.uid, owner.gid);
        chmodSync(join(dir, f), 0o600);
      }
      writeFileSync(
        join(dir, "pg_hba.conf"),
        ["local all all trust", "hostssl all all 127.0.0.1/32 scram-sha-256", "hostnossl all all 0.0.0.0/0 reject", "hostnossl all all ::/0 reject", ""].join("\n"),
      );
    },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(dbs.map((db) => db.$disconnect()));
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const tcpUrl = (query: string, database = "postgres") => `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/${database}${query}`;

async function sessionOf(url: string) {
  const db = createDb(url, { poolSize: 1 });
  dbs.push(db);
  const rows = await db.$queryRaw<{ ssl: boolean | null; socket: boolean }[]>`
    SELECT (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl, inet_server_addr() IS NULL AS socket`;
  return rows[0];
}

describe("DATABASE_URL reaches the Prisma pool whole", () => {
  it("the server refuses TCP without TLS (so the cases below prove the URL's options are used)", async () => {
    const plain = new pg.Client({ connectionString: tcpUrl("") });
    await expect(plain.connect()).rejects.toThrow(/no encryption|pg_hba/);
    await plain.end().catch(() => {});
  });

  it("connects over TLS with ?uselibpqcompat=true&sslmode=require", async () => {
    expect(await sessionOf(tcpUrl("?uselibpqcompat=true&sslmode=require"))).toEqual({ ssl: true, socket: false });
  });

  it("connects over TLS with sslmode=verify-full against the CA made here, and refuses without it", async () => {
    expect(await sessionOf(tcpUrl(`?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`))).toEqual({ ssl: true, socket: false });
    const db = createDb(tcpUrl("?sslmode=verify-full"), { poolSize: 1 });
    dbs.push(db);
    await expect(db.$queryRaw`SELECT 1`).rejects.toThrow();
  });

  it("reaches the server through a Unix socket given as host=/dir", async () => {
    expect(await sessionOf(`postgresql://postgres@/postgres?host=${encodeURIComponent(dataDir)}&port=${port}`)).toEqual({ ssl: false, socket: true });
  });

  it("migrates over TLS with the same URL (the Prisma CLI's adapter and shadow database)", async () => {
    const admin = new pg.Client({ connectionString: tcpUrl("?uselibpqcompat=true&sslmode=require") });
    await admin.connect();
    await admin.query("CREATE DATABASE mktx_tls");
    await admin.end();
    const url = tcpUrl("?uselibpqcompat=true&sslmode=require", "mktx_tls");
    await migrateDatabase(url);
    const db = createDb(url, { poolSize: 1 });
    dbs.push(db);
    expect(await db.xAccount.count()).toBe(0);
  }, 60_000);

  it("keeps every option when it names another database", () => {
    expect(withDatabase("postgresql://u:p@h:5/a?sslmode=require&uselibpqcompat=true", "b")).toBe("postgresql://u:p@h:5/b?sslmode=require&uselibpqcompat=true");
    expect(withDatabase("postgresql://u@/a?host=/run/postgresql", "b")).toBe("postgresql://u@/b?host=/run/postgresql");
    expect(withDatabase("postgres://h", "b")).toBe("postgres://h/b");
  });
});
