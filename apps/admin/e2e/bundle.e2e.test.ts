// The bundle budget (issue: the inbox route ≤ 300 KB of JS gzipped, the rest code-split), read from
// the built app's Vite manifest: what a browser downloads to show a route, entry included.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const DIST = join(import.meta.dirname, "..", "dist");
interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
}
const manifest = JSON.parse(readFileSync(join(DIST, ".vite", "manifest.json"), "utf8")) as Record<string, Chunk>;

/** The JS files a chunk needs before it runs: itself and its static imports, transitively. */
function closure(key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const dep of chunk.imports ?? []) closure(dep, seen);
  return seen;
}
const gzipped = (files: Iterable<string>) => [...files].filter((f) => f.endsWith(".js")).reduce((n, f) => n + gzipSync(readFileSync(join(DIST, f))).length, 0);
/** a screen's chunk: its module, or the shared chunk Vite named after it when two routes import it */
const screen = (name: string) => Object.keys(manifest).find((k) => k.endsWith(`src/screens/${name}/${name}-screen.tsx`) || k.startsWith(`_${name}-screen-`));

describe("the admin's bundle", () => {
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  const entryFiles = closure(entry ?? "");

  it("loads the inbox with at most 300 KB of JS gzipped, entry included", () => {
    const inbox = screen("inbox");
    expect(inbox).toBeDefined();
    const files = closure(inbox!, new Set(entryFiles));
    const kb = gzipped(files) / 1024;
    console.log(`inbox route: ${kb.toFixed(1)} KB of JS gzipped in ${files.size} files (entry alone ${(gzipped(entryFiles) / 1024).toFixed(1)} KB)`);
    expect(kb).toBeLessThanOrEqual(300);
  });

  it("splits every screen out of the entry, and keeps the flow canvas and the charts out of the inbox", () => {
    const inboxFiles = closure(screen("inbox")!, new Set());
    for (const name of ["inbox", "contacts", "campaigns", "templates", "segments", "flows", "ai", "analytics", "accounts", "team", "settings"]) {
      const key = screen(name);
      expect(key, name).toBeDefined();
      expect(entryFiles.has(manifest[key!]!.file), `${name} is in the entry chunk`).toBe(false);
    }
    const heavy = [...inboxFiles].filter((f) => /xyflow|recharts|LineChart|BarChart|flow-screen/i.test(f));
    expect(heavy).toEqual([]);
  });
});
